/**
 * 303 See Other to a path on this site: where a route handler sends the browser after a form post
 * or a look-up (/go/{id}, the plain-HTML screens' forms, their session checks). Never stored. The
 * location stays relative: req.url carries the server's own host name, not the one the browser used.
 */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, "cache-control": "private, no-store" } });
}
