import { describe, expect, it } from 'vitest';
import { validateComposeFile, validateEnvFile } from './compose-validation.js';

describe('validateComposeFile', () => {
  it('accepts a minimal compose file', () => {
    expect(validateComposeFile('services:\n  web:\n    image: nginx:1.27\n    network_mode: host\n')).toEqual([]);
  });

  it('accepts extensions and known top-level keys', () => {
    expect(validateComposeFile('x-common: &c\n  restart: always\nname: shop\nservices:\n  web:\n    <<: *c\n    image: nginx\nvolumes:\n  data: {}\n')).toEqual([]);
  });

  it.each([
    ['broken YAML', 'services:\n  web:\n    image: [unclosed', /not valid YAML/],
    ['a scalar', 'just text', /must be a YAML mapping/],
    ['no services', 'volumes: {}', /no "services"/],
    ['empty services', 'services: {}', /non-empty mapping/],
    ['a service without image', 'services:\n  web:\n    ports: ["80:80"]', /services\.web has no "image"/],
    ['a build-only service', 'services:\n  web:\n    build: .', /agents cannot build images/],
    ['a non-mapping service', 'services:\n  web: nginx', /services\.web must be a mapping/],
    ['an unknown top-level key', 'servics:\n  web:\n    image: x\nservices:\n  web:\n    image: x', /unknown top-level key "servics"/],
    ['duplicate keys', 'services:\n  web:\n    image: a\n  web:\n    image: b', /not valid YAML/],
  ])('rejects %s with a message saying what is wrong', (_label, text, message) => {
    const problems = validateComposeFile(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
  });
});

describe('validateEnvFile', () => {
  it('accepts KEY=value lines, comments and blanks', () => {
    expect(validateEnvFile('# settings\nPORT=8080\n\nexport GREETING=hello world\nEMPTY=\n')).toEqual([]);
  });

  it('names the bad lines', () => {
    expect(validateEnvFile('OK=1\nnot a pair\n1BAD=x')).toEqual(['env line 2 is not KEY=value: "not a pair"', 'env line 3 is not KEY=value: "1BAD=x"']);
  });
});
