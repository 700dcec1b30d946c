/**
 * The rules every production Dockerfile here obeys, checked on the parse tree of dockerfile-ast
 * (syntax problems from dockerfile-utils' validator): multi-stage, pinned base images, a non-root
 * final USER, a HEALTHCHECK, exec-form CMD/ENTRYPOINT, no baked-in secrets, and every workspace
 * manifest present before `npm ci`.
 */
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

export interface RuleOptions {
  /** Workspace folders of the monorepo: `npm ci` needs each one's package.json. */
  workspaces: readonly string[];
}

const SECRET_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE|API_?KEY|AUTH/i;
const SECRET_FILE = /(^|\/)(\.env(\.[^/]*)?|\.npmrc|id_[a-z0-9]+|[^/]*\.(pem|key|p12|pfx))$/i;

/** Splits the instructions at each FROM; what precedes the first FROM (global ARGs) is dropped. */
function stagesOf(instructions: Instruction[]): Instruction[][] {
  const stages: Instruction[][] = [];
  for (const instruction of instructions) {
    if (instruction.getKeyword() === 'FROM') stages.push([instruction]);
    else stages.at(-1)?.push(instruction);
  }
  return stages;
}

const words = (i: Instruction) => i.getArguments().map((a) => a.getValue());
const flagValue = (i: Instruction, flag: string) =>
  words(i).find((w) => w.startsWith(`--${flag}=`))?.slice(flag.length + 3);
const isExecForm = (i: Instruction) => (i.getRawArgumentsContent() ?? '').trim().startsWith('[');

/** Returns every broken rule, as a readable line; empty when the Dockerfile is fine. */
export function checkDockerfile(text: string, options: RuleOptions): string[] {
  const problems: string[] = [];
  for (const d of validate(text)) problems.push(`line ${d.range.start.line + 1}: ${d.message}`);

  const dockerfile = DockerfileParser.parse(text);
  const globalArgs = new Map<string, string>();
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs.set(property.getName(), property.getValue() ?? '');
  }

  const stages = stagesOf(dockerfile.getInstructions());
  if (stages.length < 2) problems.push('not a multi-stage build: build tools would ship in the image');

  const stageNames = new Set<string>();
  for (const [index, stage] of stages.entries()) {
    const from = dockerfile.getFROMs()[index];
    const image = from?.getImage() ?? '';
    const variable = /^\$\{?(\w+)\}?$/.exec(image)?.[1];
    const resolved = variable === undefined ? image : (globalArgs.get(variable) ?? '');
    if (!stageNames.has(resolved)) {
      const pinned = /@sha256:[0-9a-f]{64}$/.test(resolved) || /:[\w.-]+$/.test(resolved.replace(/^[^/]*:\d+\//, ''));
      if (!pinned || resolved.endsWith(':latest')) problems.push(`stage ${index + 1}: base image "${resolved || image}" is not pinned to a tag`);
    }
    const name = from?.getBuildStage();
    if (name) stageNames.add(name);

    for (const instruction of stage) {
      const keyword = instruction.getKeyword();
      if (keyword === 'ARG' || keyword === 'ENV') {
        for (const w of words(instruction)) {
          const [key = '', value] = w.split('=', 2);
          if (SECRET_NAME.test(key) && (keyword === 'ARG' || (value ?? '') !== '')) {
            problems.push(`line ${instruction.getRange().start.line + 1}: ${keyword} ${key} would bake a secret into the image`);
          }
        }
      }
      if ((keyword === 'COPY' || keyword === 'ADD') && flagValue(instruction, 'from') === undefined) {
        for (const source of words(instruction).filter((w) => !w.startsWith('--')).slice(0, -1)) {
          if (SECRET_FILE.test(source)) problems.push(`line ${instruction.getRange().start.line + 1}: ${keyword} ${source} would bake a secret into the image`);
        }
      }
    }
    problems.push(...missingManifests(stage, options.workspaces, index));
  }

  const final = stages.at(-1) ?? [];
  const user = final.filter((i) => i.getKeyword() === 'USER').at(-1);
  const account = user === undefined ? 'root' : (words(user)[0] ?? '').split(':')[0];
  if (account === 'root' || account === '0') problems.push('the final stage runs as root: add a USER with a non-root uid');
  const healthcheck = final.filter((i) => i.getKeyword() === 'HEALTHCHECK').at(-1);
  const probe = healthcheck === undefined ? [] : words(healthcheck).filter((w) => !w.startsWith('--'));
  if (probe[0]?.toUpperCase() !== 'CMD') problems.push('the final stage has no HEALTHCHECK CMD');
  for (const i of final.filter((x) => x.getKeyword() === 'CMD' || x.getKeyword() === 'ENTRYPOINT')) {
    if (!isExecForm(i)) problems.push(`line ${i.getRange().start.line + 1}: ${i.getKeyword()} in shell form: signals would not reach the process`);
  }
  if (!final.some((i) => i.getKeyword() === 'CMD' || i.getKeyword() === 'ENTRYPOINT')) problems.push('the final stage has no CMD or ENTRYPOINT');
  return problems;
}

/** In a stage that runs `npm ci`, every workspace's package.json must be copied before it. */
function missingManifests(stage: Instruction[], workspaces: readonly string[], index: number): string[] {
  const ci = stage.findIndex((i) => i.getKeyword() === 'RUN' && /\bnpm ci\b/.test(i.getArgumentsContent() ?? ''));
  if (ci < 0) return [];
  const copied = new Set(
    stage
      .slice(0, ci)
      .filter((i) => i.getKeyword() === 'COPY')
      .flatMap((i) => words(i).filter((w) => !w.startsWith('--')).slice(0, -1))
      .map((source) => source.replace(/^\/src\//, '')),
  );
  return ['package.json', 'package-lock.json', ...workspaces.map((w) => `${w}/package.json`)]
    .filter((file) => !copied.has(file))
    .map((file) => `stage ${index + 1}: npm ci runs before ${file} is copied`);
}
