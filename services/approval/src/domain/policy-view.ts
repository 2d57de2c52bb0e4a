import type { Policy } from '@countersign/contracts';
import type { VersionedPolicy } from '@countersign/routing';

/** A policy version as the API shows it. */
export function toPolicyView(
  p: VersionedPolicy & { versionCreatedAt: Date; versionCreatedBy: string | null },
): Policy {
  return {
    id: p.id,
    name: p.name,
    category: p.category,
    active: p.active,
    version: p.version,
    rules: p.rules,
    version_created_at: p.versionCreatedAt.toISOString(),
    version_created_by: p.versionCreatedBy,
  };
}
