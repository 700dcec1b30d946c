import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { SupportBundle } from '@flotilla/protocol';
import { FINISHED_BUNDLE_STATUSES } from '../../support-bundles.js';
import { cmd, group, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';
import { resolveInstallation } from '../resolve.js';

const bundleRow = (b: SupportBundle) => ({
  id: b.id,
  status: b.status,
  bytes: b.bytes,
  'requested by': b.requestedBy.email,
  created: b.createdAt,
  message: b.message,
});

/** `flotilla support-bundle create|list|download`. */
export function supportBundleCommand(state: RunState) {
  return group('support-bundle', "An installation's support bundles: its state, runtime facts and last log lines, redacted", [
    cmd(
      state,
      'create <installation>',
      "Ask the installation's agent for a support bundle (with --wait: until it is ready or failed)",
      (y) =>
        y
          .positional('installation', { type: 'string', demandOption: true, describe: 'Installation: NAME, CUSTOMER/NAME or id' })
          .option('log-lines', { type: 'number', describe: 'The last log lines of each component (default 500)' })
          .option('wait', { type: 'boolean', default: false, describe: 'Wait until the bundle is ready (exit 1 if it fails or is rejected)' })
          .option('timeout', { type: 'number', default: 600, describe: 'Seconds to wait with --wait' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const installation = await resolveInstallation(client, args.installation);
        let bundle: SupportBundle = await client.request('POST /installations/:id/support-bundles', { params: { id: installation.id }, body: args.logLines === undefined ? {} : { logLines: args.logLines } });
        const deadline = Date.now() + args.timeout * 1000;
        while (args.wait && !FINISHED_BUNDLE_STATUSES.has(bundle.status) && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 1000));
          bundle = await client.request('GET /support-bundles/:id', { params: { id: bundle.id } });
        }
        ctx.result(bundle, () => formatFields(bundleRow(bundle)));
        return args.wait && bundle.status !== 'ready' ? 1 : 0;
      },
    ),
    cmd(
      state,
      'list <installation>',
      "The installation's support bundles, newest first",
      (y) => y.positional('installation', { type: 'string', demandOption: true, describe: 'Installation: NAME, CUSTOMER/NAME or id' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const installation = await resolveInstallation(client, args.installation);
        const { items } = await client.request('GET /installations/:id/support-bundles', { params: { id: installation.id } });
        ctx.result(items, () => formatTable(items.map(bundleRow), ['id', 'status', 'bytes', 'requested by', 'created', 'message']));
      },
    ),
    cmd(
      state,
      'download <id>',
      'Save a ready bundle (.tar.gz) in the current folder, or to --file',
      (y) => y.positional('id', { type: 'string', demandOption: true, describe: 'Support bundle id' }).option('file', { alias: 'f', type: 'string', describe: 'Where to save it (default: the name the hub gives it)' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const { filename, data } = await client.downloadSupportBundle(args.id);
        const target = path.resolve(args.file ?? path.basename(filename));
        await writeFile(target, data);
        ctx.result({ file: target, bytes: data.length }, () => `Saved ${data.length} bytes to ${target}`);
      },
    ),
  ]);
}
