/** Patterns shared by the schema and the CLI, without loading the schema library. */
export { REPOSITORY_PATTERN, TAG_PATTERN } from './reference.js';

/** RFC 1123 label, as Kubernetes, systemd unit names and compose service names all accept. */
export const DNS_LABEL_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
