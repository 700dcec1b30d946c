import { cmd, type RunState } from '../command.js';
import { CliError } from '../cli-error.js';
import { formatFields } from '../format.js';
import { parseNameAtVersion } from '../parse.js';
import { resolveAppVersion, resolveInstallation, resolveRelease } from '../resolve.js';

/** `flotilla deploy --installation … --release …` (or `--app-version APP@VERSION`): one installation, at once. */
export function deployCommand(state: RunState) {
  return cmd(
    state,
    'deploy',
    'Deploy a release (or one application version) to one installation',
    (y) =>
      y
        .option('installation', { type: 'string', demandOption: true, describe: 'Installation: NAME, CUSTOMER/NAME or id' })
        .option('release', { type: 'string', describe: 'Release: TRACK@VERSION or id' })
        .option('app-version', { type: 'string', describe: 'Instead of a release: APP@VERSION' })
        .example('$0 deploy --installation Acme/production --release Shop@1.2.0', ''),
    async (ctx, args) => {
      if (!args.release === !args.appVersion) throw new CliError('Give either --release or --app-version');
      const appVersion = args.appVersion ? parseNameAtVersion(args.appVersion, '--app-version', 'shop@1.2.0') : undefined;
      const client = await ctx.client();
      const installation = await resolveInstallation(client, args.installation);
      const body = appVersion ? { versionId: (await resolveAppVersion(client, appVersion)).version.id } : { releaseId: (await resolveRelease(client, args.release ?? '')).id };
      const res = await client.request('POST /installations/:id/deploy', { params: { id: installation.id }, body });
      ctx.result({ installationId: installation.id, ...res }, () =>
        formatFields({ deployed: args.release ?? args.appVersion, installation: `${installation.customerName}/${installation.name}`, revision: res.revision }),
      );
    },
  );
}
