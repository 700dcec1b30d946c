import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseSelfCompose, selfComposeFile, SELF_COMPOSE_ENV, withImage } from '@flotilla/agent-compose';
import { composeAgentManifest } from '../src/domain/agents/install-manifest.js';

/**
 * The compose agent recreates itself from the document the install manifest hands it: the file it
 * writes must be the manifest itself, so a self-update changes nothing but the image.
 */
describe('the compose agent’s own compose document', () => {
  const manifest = composeAgentManifest({
    hubUrl: 'https://hub.example.com',
    agentId: 'agt_1',
    secret: 'a "quoted": secret',
    image: 'flotilla/agent-compose:0.1.0',
    installationName: 'main',
    customerName: 'Acme',
    projectName: 'flotilla-agent-abc',
  });
  type Doc = { services: Record<string, { image: string; environment: Record<string, string> }> };
  const installed = parse(manifest) as Doc;
  const embedded = installed.services['flotilla-agent']?.environment[SELF_COMPOSE_ENV] ?? '';
  /** The document with its embedded copy parsed (key order inside the JSON text does not matter). */
  const structure = (doc: Doc) => {
    const service = doc.services['flotilla-agent'];
    return { ...doc, services: { 'flotilla-agent': { ...service, environment: { ...service?.environment, [SELF_COMPOSE_ENV]: JSON.parse(service?.environment[SELF_COMPOSE_ENV] ?? 'null') as unknown } } } };
  };

  it('is the manifest, exactly, when the agent writes it back', () => {
    expect(structure(JSON.parse(selfComposeFile(parseSelfCompose(embedded, SELF_COMPOSE_ENV))) as Doc)).toEqual(structure(installed));
  });

  it('differs from the manifest only in the image after a self-update, embedded copy included', () => {
    const updated = JSON.parse(selfComposeFile(withImage(parseSelfCompose(embedded, SELF_COMPOSE_ENV), 'flotilla/agent-compose:0.2.0'))) as Doc;
    const service = updated.services['flotilla-agent'];
    expect(service?.image).toBe('flotilla/agent-compose:0.2.0');
    expect(parseSelfCompose(service?.environment[SELF_COMPOSE_ENV] ?? '', 'embedded').services['flotilla-agent'].image).toBe('flotilla/agent-compose:0.2.0');
    const back = withImage(parseSelfCompose(JSON.stringify(updated), 'file'), 'flotilla/agent-compose:0.1.0');
    expect(structure(JSON.parse(selfComposeFile(back)) as Doc)).toEqual(structure(installed));
  });
});
