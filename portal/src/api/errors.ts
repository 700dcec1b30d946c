/** The portal shows the SDK's typed error: the catalogue's `code`, the hub's `message`, its `details`. */
export { FlotillaError } from '@flotilla/sdk/client';

/** A message fit for the UI, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return 'Something went wrong';
}
