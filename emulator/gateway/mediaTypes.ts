/**
 * Whether a media type (already passed through `mediaTypeOf`) matches one of a REST API's `binaryMediaTypes`:
 * exact, `type/*`, or the all-types wildcard, which matches even a missing type. SAM templates write `/` as `~1`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
 */
export function matchesBinaryMediaTypes(
  mediaType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  for (const configured of binaryMediaTypes) {
    const pattern = (configured.includes('~1') ? configured.replaceAll('~1', '/') : configured)
      .trim()
      .toLowerCase();
    if (pattern === '*/*') return true;
    if (mediaType === undefined || mediaType === '') continue;
    if (pattern.endsWith('/*')) {
      if (mediaType.startsWith(pattern.slice(0, -1))) return true;
    } else if (pattern === mediaType) {
      return true;
    }
  }
  return false;
}

/**
 * HTTP APIs pass a request body as UTF-8 text only for `text/*`, `application/json`, `application/xml` and
 * `application/javascript` (charset and other parameters ignored); every other type, a missing one included, is
 * base64 (SPEC §2.1, ministackorg/ministack#766, verified against AWS). Structured-syntax suffixes such as
 * `application/ld+json` are not in that list, so they are base64 too.
 */
export function isHttpApiTextType(mediaType: string | undefined): boolean {
  if (mediaType === undefined) return false;
  return (
    mediaType.startsWith('text/') ||
    mediaType === 'application/json' ||
    mediaType === 'application/xml' ||
    mediaType === 'application/javascript'
  );
}
