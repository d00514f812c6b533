/**
 * Image references ("registry:5000/team/echo:1.2.3@sha256:…"): the one parser,
 * for image.repository/tag/base (the schema's patterns are built from the same
 * grammar), `generate --image`, `build --tag`, and goneat-deploy.lock.json. Pure.
 *
 * Grammar: the OCI distribution reference grammar as docker/distribution's
 * reference package defines it (reference/regexp.go):
 *
 *   reference       := name [ ":" tag ] [ "@" digest ]
 *   name            := [domain '/'] path-component ['/' path-component]*
 *   domain          := domain-component ['.' domain-component]* [':' port-number]
 *   domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
 *   path-component  := alpha-numeric [separator alpha-numeric]*
 *   alpha-numeric   := /[a-z0-9]+/
 *   separator       := "_", ".", "__" or any run of "-"
 *   tag             := /[\w][\w.-]{0,127}/
 *   digest          := algorithm ":" hex, the registered algorithms only
 *                      (OCI image-spec descriptor.md: sha256 = 64 and sha512 = 128 lower-case hex)
 *
 * and a name of at most 255 characters (NameTotalLengthMax). The first
 * component is a registry only when docker would read it as one
 * (splitDockerDomain: it has a "." or a ":" port, or is "localhost"); otherwise
 * it is part of the path, which must be lower case. So a reference never starts
 * with "-" (it cannot become a command-line option) and holds no whitespace,
 * quote, "$", "%" or newline (it cannot add a line or a word to a unit file).
 */

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})+(?::[0-9]+)?|${DOMAIN_COMPONENT}:[0-9]+|localhost)`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*';
const REPOSITORY = `(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const TAG = '[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}';
const DIGEST = '(?:sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128})';

/** A repository ("example/echo", "registry:5000/team/echo"). */
export const REPOSITORY_PATTERN = `^${REPOSITORY}$`;
/** A tag ("1.2.3"). */
export const TAG_PATTERN = `^${TAG}$`;
/** A whole reference: repository, optional tag, optional digest. */
export const IMAGE_REFERENCE_PATTERN = `^${REPOSITORY}(?::${TAG})?(?:@${DIGEST})?$`;
/** distribution/reference NameTotalLengthMax. */
export const NAME_MAX_LENGTH = 255;

const WHOLE = new RegExp(`^((?:(${DOMAIN})/)?(${PATH_COMPONENT}(?:/${PATH_COMPONENT})*))(?::(${TAG}))?(?:@(${DIGEST}))?$`);

export interface ImageReference {
  /** Registry and path: "registry:5000/team/echo". */
  repository: string;
  /** The registry ("registry:5000"), when the reference names one; else Docker Hub. */
  domain?: string;
  /** The repository inside the registry: "team/echo". */
  path: string;
  tag?: string;
  /** "sha256:…" */
  digest?: string;
}

/** What an image reference looks like, for messages. */
export const REFERENCE_EXPECTED =
  'an image reference like "example/echo:1.2.3" or "registry.example.com:5000/team/echo:1.2.3@sha256:<64 hex digits>" (lower-case repository path, optional :tag, optional @digest)';

/**
 * Parses an image reference; a string with what is wrong when it is not one
 * (it never says more than the grammar and the length limit; the caller adds
 * where the value came from).
 */
export function parseImageReference(text: string): ImageReference | { problem: string } {
  const m = WHOLE.exec(text);
  if (!m) {
    if (text.startsWith('-')) return { problem: `starts with "-": expected ${REFERENCE_EXPECTED}` };
    if (/@/.test(text) && !/@(sha256|sha512):/.test(text)) return { problem: `has a digest of an unknown algorithm: expected @sha256:<64 hex digits> or @sha512:<128 hex digits>` };
    return { problem: `expected ${REFERENCE_EXPECTED}` };
  }
  const repository = m[1]!;
  if (repository.length > NAME_MAX_LENGTH) return { problem: `its repository is ${repository.length} characters long; a registry takes at most ${NAME_MAX_LENGTH}` };
  return {
    repository,
    ...(m[2] !== undefined ? { domain: m[2] } : {}),
    path: m[3]!,
    ...(m[4] !== undefined ? { tag: m[4] } : {}),
    ...(m[5] !== undefined ? { digest: m[5] } : {}),
  };
}

/** "repository[:tag][@digest]" */
export function formatImageReference(r: Pick<ImageReference, 'repository' | 'tag' | 'digest'>): string {
  return `${r.repository}${r.tag !== undefined ? `:${r.tag}` : ''}${r.digest !== undefined ? `@${r.digest}` : ''}`;
}

/**
 * Repository and tag of a reference goneat-deploy built itself (or validated
 * before); "latest" when it has no tag. Throws on anything that is not a
 * reference: that would be a bug.
 */
export function splitTag(ref: string): { repository: string; tag: string } {
  const r = parseImageReference(ref);
  if ('problem' in r) throw new Error(`not an image reference: ${JSON.stringify(ref)} (${r.problem})`);
  return { repository: r.repository, tag: r.tag ?? 'latest' };
}
