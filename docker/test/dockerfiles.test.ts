import { existsSync } from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { describe, expect, it } from 'vitest';
import { checkDockerfile } from './dockerfile-rules.js';
import { IMAGES, readRepoFile, REPO_ROOT, workspaces } from './repo.js';

const options = { workspaces: workspaces() };

/** A Dockerfile obeying every rule; each test below breaks one. */
const GOOD = `ARG NODE_IMAGE=node:20-bookworm-slim
FROM \${NODE_IMAGE} AS build
COPY package.json package-lock.json ./
${options.workspaces.map((w) => `COPY ${w}/package.json ${w}/`).join('\n')}
RUN npm ci
FROM \${NODE_IMAGE}
COPY --from=build /src /app
USER 1000:1000
HEALTHCHECK --interval=10s CMD ["node", "-e", "0"]
CMD ["node", "main.js"]
`;

describe('the rule checker', () => {
  it('accepts a Dockerfile that obeys every rule', () => {
    expect(checkDockerfile(GOOD, options)).toEqual([]);
  });

  it.each([
    ['a syntax error', GOOD.replace('RUN npm ci', 'RUNN npm ci'), /Unknown instruction: RUNN/],
    ['a single stage', GOOD.replace(/^FROM \$\{NODE_IMAGE\}\nCOPY --from=build \/src \/app\n/m, ''), /not a multi-stage build/],
    ['an unpinned base image', GOOD.replace('node:20-bookworm-slim', 'node'), /base image "node" is not pinned/],
    ['a :latest base image', GOOD.replace('node:20-bookworm-slim', 'node:latest'), /not pinned/],
    ['no USER', GOOD.replace('USER 1000:1000\n', ''), /runs as root/],
    ['USER root', GOOD.replace('USER 1000:1000', 'USER 0:0'), /runs as root/],
    ['no HEALTHCHECK', GOOD.replace(/^HEALTHCHECK.*\n/m, ''), /no HEALTHCHECK/],
    ['HEALTHCHECK NONE', GOOD.replace(/^HEALTHCHECK.*$/m, 'HEALTHCHECK NONE'), /no HEALTHCHECK/],
    ['a shell-form CMD', GOOD.replace('CMD ["node", "main.js"]', 'CMD node main.js'), /CMD in shell form/],
    ['a secret in ENV', GOOD.replace('USER 1000:1000', 'ENV DB_PASSWORD=hunter2\nUSER 1000:1000'), /ENV DB_PASSWORD would bake a secret/],
    ['a secret build arg', GOOD.replace('RUN npm ci', 'ARG NPM_TOKEN\nRUN npm ci'), /ARG NPM_TOKEN would bake a secret/],
    ['a copied env file', GOOD.replace('USER 1000:1000', 'COPY docker/.env /app/\nUSER 1000:1000'), /COPY docker\/.env would bake a secret/],
    ['a workspace manifest missing before npm ci', GOOD.replace('COPY hub/package.json hub/\n', ''), /npm ci runs before hub\/package.json is copied/],
  ])('rejects %s', (_name, text, problem) => {
    expect(checkDockerfile(text, options)).toEqual(expect.arrayContaining([expect.stringMatching(problem)]));
  });
});

describe.each(IMAGES)('docker/%s.Dockerfile', (image) => {
  const text = readRepoFile(`docker/${image}.Dockerfile`);

  it('obeys the rules', () => {
    expect(checkDockerfile(text, options)).toEqual([]);
  });

  it('takes its base image as a build arg and copies only files that exist in the build context', () => {
    const dockerfile = DockerfileParser.parse(text);
    expect(dockerfile.getInitialARGs().map((a) => a.getProperty()?.getName())).toContain('NODE_IMAGE');
    const sources = dockerfile
      .getCOPYs()
      .filter((c) => c.getFromFlag() === null)
      .flatMap((c) => c.getArguments().map((a) => a.getValue()).filter((w) => !w.startsWith('--')).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) expect(existsSync(path.join(REPO_ROOT, source)), source).toBe(true);
  });
});

describe('.dockerignore', () => {
  const ignored = readRepoFile('.dockerignore').split('\n').map((l) => l.trim());

  it('keeps dependencies, build output, git and env files out of the build context', () => {
    expect(ignored).toEqual(expect.arrayContaining(['.git', '**/node_modules', '**/dist', '**/.env']));
  });
});
