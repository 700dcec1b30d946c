import type { ApplicationVersion, CreateVersionBody } from '@flotilla/protocol';
import { cmd, group, type RunState } from '../command.js';
import { CliError } from '../cli-error.js';
import { formatFields, formatTable } from '../format.js';
import { readFlagFile } from '../read-file.js';
import { resolveApplication } from '../resolve.js';

interface VersionFlags {
  version: string;
  compose?: string;
  envFile?: string;
  chart?: string;
  chartVersion?: string;
  repo?: string;
  oci?: string;
  values?: string;
  notesFile?: string;
}

/** The body of `POST /applications/:id/versions` from the flags: a compose file, or a helm chart. */
export async function versionBody(f: VersionFlags): Promise<CreateVersionBody> {
  const notes = f.notesFile ? { notes: await readFlagFile(f.notesFile, '--notes-file') } : {};
  if (f.compose && f.chart) throw new CliError('Give either --compose or --chart, not both');
  if (f.compose) {
    const env = f.envFile ? { env: await readFlagFile(f.envFile, '--env-file') } : {};
    return { version: f.version, compose: { file: await readFlagFile(f.compose, '--compose'), ...env }, ...notes };
  }
  if (f.chart) {
    if (!f.chartVersion) throw new CliError('--chart needs --chart-version');
    if (f.repo && f.oci) throw new CliError('Give either --repo or --oci, not both');
    const values = f.values ? { values: await readFlagFile(f.values, '--values') } : {};
    return { version: f.version, helm: { chart: f.chart, chartVersion: f.chartVersion, ...(f.repo ? { repo: f.repo } : {}), ...(f.oci ? { oci: f.oci } : {}), ...values }, ...notes };
  }
  throw new CliError('Give --compose FILE (a compose application) or --chart NAME --chart-version VERSION (a helm one)');
}

const versionRow = (v: ApplicationVersion) => ({ version: v.version, id: v.id, created: v.createdAt, archived: v.archivedAt ? 'yes' : '', 'in use': v.inUse ? 'yes' : '' });

/** `flotilla versions list|create`. */
export function versionsCommand(state: RunState) {
  return group('versions', "Application versions (immutable: a compose file, or a helm chart)", [
    cmd(
      state,
      'list',
      "List an application's versions",
      (y) => y.option('app', { type: 'string', demandOption: true, describe: 'Application name or id' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const app = await resolveApplication(client, args.app);
        const versions: ApplicationVersion[] = [];
        for await (const v of client.paginate('GET /applications/:id/versions', { params: { id: app.id }, query: { limit: 500 } })) versions.push(v);
        ctx.result(versions, () => formatTable(versions.map(versionRow), ['version', 'id', 'created', 'archived', 'in use']));
      },
    ),
    cmd(
      state,
      'create',
      'Create a version from a compose file, or from a helm chart',
      (y) =>
        y
          .option('app', { type: 'string', demandOption: true, describe: 'Application name or id' })
          .option('version', { type: 'string', demandOption: true, describe: 'The version (e.g. 1.2.0)' })
          .option('compose', { type: 'string', describe: 'Compose file (compose applications)' })
          .option('env-file', { type: 'string', describe: 'Env file written beside the compose file' })
          .option('chart', { type: 'string', describe: 'Chart name (helm applications)' })
          .option('chart-version', { type: 'string', describe: 'Chart version' })
          .option('repo', { type: 'string', describe: 'Chart repository URL' })
          .option('oci', { type: 'string', describe: 'OCI chart reference (instead of --repo)' })
          .option('values', { type: 'string', describe: 'Default values YAML file' })
          .option('notes-file', { type: 'string', describe: 'Version notes (markdown file)' })
          .example('$0 versions create --app shop --version 1.2.0 --compose docker-compose.yml', '')
          .example('$0 versions create --app web --version 2.0.0 --chart web --chart-version 2.0.0 --repo https://charts.example.com --values values.yaml', ''),
      async (ctx, args) => {
        const body = await versionBody(args);
        const client = await ctx.client();
        const app = await resolveApplication(client, args.app);
        const v = await client.request('POST /applications/:id/versions', { params: { id: app.id }, body });
        ctx.result(v, () => formatFields({ created: 'version', application: app.name, version: v.version, id: v.id }));
      },
    ),
  ]);
}
