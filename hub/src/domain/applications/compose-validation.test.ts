import { describe, expect, it } from 'vitest';
import { validateComposeFile, validateEnvFile } from './compose-validation.js';
import { aliasBomb } from '../../../test/hostile-inputs.js';

describe('validateComposeFile', () => {
  it('accepts a minimal compose file', () => {
    expect(validateComposeFile('services:\n  web:\n    image: nginx:1.27\n    network_mode: host\n')).toEqual([]);
  });

  it('accepts extensions and known top-level keys', () => {
    expect(validateComposeFile('x-common: &c\n  restart: always\nname: shop\nservices:\n  web:\n    <<: *c\n    image: nginx\nvolumes:\n  data: {}\n')).toEqual([]);
  });

  it('reports each problem in plain words at its line and column', () => {
    const cases: [string, string, ReturnType<typeof validateComposeFile>][] = [
      ['broken YAML', 'services:\n  web:\n    image: [unclosed', [{ message: 'not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]', line: 3, column: 21 }]],
      ['duplicate keys', 'services:\n  web:\n    image: a\n  web:\n    image: b', [{ message: 'not valid YAML: Map keys must be unique', line: 4, column: 3 }]],
      ['a scalar', 'just text', [{ message: 'the file must be a YAML mapping with a "services" key', line: 1, column: 1 }]],
      ['no services', 'volumes: {}', [{ message: 'there is no "services" mapping' }]],
      ['empty services', 'name: shop\nservices: {}', [{ message: '"services" must be a non-empty mapping of service names to definitions', line: 2, column: 11 }]],
      ['services without a value', 'name: shop\nservices:\n', [{ message: '"services" must be a non-empty mapping of service names to definitions', line: 2, column: 10 }]],
      ['a service without image', 'services:\n  db:\n    image: postgres\n  web:\n    ports: ["80:80"]', [{ message: 'service "web" has no image', line: 4, column: 3 }]],
      ['a build-only service', 'services:\n  web:\n    build: .', [{ message: 'service "web" uses "build"; agents cannot build images, give it an "image"', line: 2, column: 3 }]],
      ['a non-mapping service', 'services:\n  web: nginx', [{ message: 'service "web" must be a mapping', line: 2, column: 8 }]],
    ];
    for (const [label, text, expected] of cases) expect(validateComposeFile(text), label).toEqual(expected);
  });

  it('reports every problem of a file, the unknown key where it is', () => {
    expect(validateComposeFile('servics:\n  web:\n    image: x\nservices:\n  web:\n    image: x\n  api:\n    build: .\n  worker: {}\n')).toEqual([
      { message: 'unknown top-level key "servics" (compose allows version, name, services, networks, volumes, configs, secrets, include, x-*)', line: 1, column: 1 },
      { message: 'service "api" uses "build"; agents cannot build images, give it an "image"', line: 7, column: 3 },
      { message: 'service "worker" has no image', line: 9, column: 3 },
    ]);
  });

  it('counts lines of CRLF files like the editor', () => {
    expect(validateComposeFile('services:\r\n  web:\r\n    image: a\r\n  api:\r\n    ports: []\r\n')).toEqual([{ message: 'service "api" has no image', line: 4, column: 3 }]);
  });
});

describe('validateEnvFile', () => {
  it('accepts KEY=value lines, comments and blanks', () => {
    expect(validateEnvFile('# settings\nPORT=8080\n\nexport GREETING=hello world\nEMPTY=\n')).toEqual([]);
  });

  it('names the bad lines', () => {
    expect(validateEnvFile('OK=1\nnot a pair\n1BAD=x')).toEqual([
      { message: 'not KEY=value: "not a pair"', line: 2, column: 1 },
      { message: 'not KEY=value: "1BAD=x"', line: 3, column: 1 },
    ]);
  });
});

describe('validateComposeFile and YAML limits', () => {
  const web = 'services:\n  web:\n    image: nginx\n';

  it('refuses an alias bomb under an x- key the services never use', () => {
    expect(validateComposeFile(`${aliasBomb(6, 'x-lol')}${web}`)).toEqual([{ message: expect.stringMatching(/alias bomb/) }]);
  });

  it('refuses an undefined alias at its position', () => {
    expect(validateComposeFile('x-a:\n  r: *missing\nservices:\n  web:\n    image: nginx\n')).toEqual([{ message: 'alias *missing refers to no anchor defined before it', line: 2, column: 6 }]);
  });

  it('takes the image from a merge key', () => {
    expect(validateComposeFile('x-base: &base\n  image: nginx\nservices:\n  web:\n    <<: *base\n')).toEqual([]);
  });
});
