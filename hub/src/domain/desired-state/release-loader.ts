import type { ApplicationRepository } from '../applications/application-repository.js';
import type { ReleaseInput } from './compose.js';

/** A stored release's stages: which application each component is, and the version pinned (if any). */
type StoredStages = readonly (readonly { applicationId: string; versionId: string | null }[])[];

/**
 * Reads what the composer needs of a release: each component's application and pinned version, in
 * one query (plus one per unpinned component, which the composer then refuses by name).
 */
export async function loadRelease(applications: ApplicationRepository, vendorId: string, release: { version: string; stages: StoredStages }): Promise<ReleaseInput> {
  const ids = release.stages.flat().flatMap((c) => (c.versionId ? [c.versionId] : []));
  const versions = await applications.versionsWithApplications(vendorId, ids);
  const stages = await Promise.all(
    release.stages.map((stage) =>
      Promise.all(
        stage.map(async (c) => {
          const found = c.versionId ? versions.get(c.versionId) : undefined;
          if (found) return { application: { name: found.application.name, kind: found.application.kind }, pinned: found.version };
          const application = await applications.get(vendorId, c.applicationId);
          return { application: { name: application?.name ?? c.applicationId, kind: application?.kind ?? 'compose' }, pinned: null };
        }),
      ),
    ),
  );
  return { version: release.version, stages };
}
