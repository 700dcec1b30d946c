/** Exit codes of the `flotilla` CLI (documented in the README): pipelines branch on them. */
export const EXIT = {
  ok: 0,
  /** A refused call, an unreachable hub, a failed or rolled-back rollout. */
  failed: 1,
  /** `rollouts start --wait`: the rollout paused (a failure under `failurePolicy: pause`, or someone paused it). */
  paused: 2,
  /** Bad flags or arguments. */
  usage: 64,
} as const;

/** An error the CLI reports as its one line of output, then exits with `exitCode`. */
export class CliError extends Error {
  override readonly name = 'CliError';

  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(message);
  }
}
