import { cmd, type RunState } from '../command.js';
import { CliError } from '../cli-error.js';
import { formatFields } from '../format.js';
import { parseNameAtVersion } from '../parse.js';
import { resolveAppVersion, resolveInstallation, resolveRelease } from '../resolve.js';

/** What a deploy printed: past required releases, the steps and the rollout that runs them. */
export function deployFields(deployed: string | undefined, installation: string, res: { revision: number; rolloutId?: string; steps?: { version: string; stageCount: number }[] }): Record<string, string | number> {
  const fields: Record<string, string | number> = { deployed: deployed ?? '', installation, revision: res.revision };
  if (!res.rolloutId || !res.steps?.length) return fields;
  const steps = res.steps.map((s, i) => `${s.version}${i < (res.steps?.length ?? 0) - 1 ? ' (required)' : ''}`).join(' -> ');
  return { ...fields, steps, rollout: res.rolloutId, follow: `flotilla rollouts watch ${res.rolloutId}` };
}

/**
 * `flotilla deploy --installation … --release …` (or `--app-version APP@VERSION`): one installation,
 * at once; past required releases the hub steps through them (a rollout, printed with its steps).
 */
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
        formatFields(deployFields(args.release ?? args.appVersion, `${installation.customerName}/${installation.name}`, res)),
      );
    },
  );
}
