import type { Installation } from '@flotilla/protocol';
import { cmd, group, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';
import { listInstallations, pickInstallation } from '../resolve.js';

const installationRow = (i: Installation) => ({
  installation: `${i.customerName}/${i.name}`,
  environment: i.environment,
  kind: i.agentKind,
  online: i.status.online ? 'yes' : 'no',
  health: i.status.health,
  version: i.status.runningVersion,
  id: i.id,
});

/** `flotilla installations list|status`. */
export function installationsCommand(state: RunState) {
  return group('installations', "Customers' installations and their live status", [
    cmd(state, 'list', 'List the installations with their status', (y) => y, async (ctx) => {
      const installations = await listInstallations(await ctx.client());
      ctx.result(installations, () => formatTable(installations.map(installationRow), ['installation', 'environment', 'kind', 'online', 'health', 'version', 'id']));
    }),
    cmd(
      state,
      'status <installation>',
      "An installation's status: online, revisions, health and version of each component",
      (y) => y.positional('installation', { type: 'string', demandOption: true, describe: 'Installation: NAME, CUSTOMER/NAME or id' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const installation = pickInstallation(await listInstallations(client), args.installation);
        const s = await client.request('GET /installations/:id/status', { params: { id: installation.id } });
        ctx.result(s, () =>
          [
            formatFields({
              installation: `${installation.customerName}/${installation.name}`,
              online: s.online ? 'yes' : 'no',
              health: s.health,
              'running version': s.runningVersion,
              'desired version': s.desiredVersion,
              revision: `${s.appliedRevision} applied / ${s.desiredRevision} desired`,
            }),
            '',
            formatTable(s.components.map((c) => ({ component: c.name, version: c.version, health: c.health, message: c.message })), ['component', 'version', 'health', 'message']),
          ].join('\n'),
        );
      },
    ),
  ]);
}
