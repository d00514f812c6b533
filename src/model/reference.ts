/** Image references ("registry:5000/team/echo:1.2.3"), split the way docker does. Pure. */

/**
 * Repository and tag of a reference; "latest" when it has no tag. The tag is
 * after the last ":" that comes after the last "/" (a registry port is not a tag).
 */
export function splitTag(ref: string): { repository: string; tag: string } {
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } : { repository: ref, tag: 'latest' };
}
