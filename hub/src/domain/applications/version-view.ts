import type { ApplicationVersion, HelmSpec, HelmSpecView } from '@flotilla/protocol';
import type { VersionRecord } from './application-repository.js';

/** A helm spec as REST shows it: the username stays, the password becomes `passwordSet: true`. */
export function helmSpecView(spec: HelmSpec): HelmSpecView {
  const { credentials, ...rest } = spec;
  return credentials === undefined ? rest : { ...rest, credentials: { username: credentials.username, passwordSet: true } };
}

/** The REST shape of a stored version: never carries a registry password. */
export function toVersionView(v: VersionRecord): ApplicationVersion {
  return { ...v, helm: v.helm === null ? null : helmSpecView(v.helm) };
}
