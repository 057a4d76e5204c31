import path from 'node:path';
import type { ServerResponse } from 'node:http';

/**
 * Headers of the files under /static (express.static's `setHeaders`).
 *
 * The LMS shows our icon on its own pages (Moodle's tool list and activity chooser, Canvas's
 * course navigation): `logo_uri` at dynamic registration and `icon_url` in the Canvas
 * configuration point into public/img. helmet's `Cross-Origin-Resource-Policy: same-origin`
 * makes browsers refuse such a cross-origin image (ERR_BLOCKED_BY_RESPONSE.NotSameOrigin), so
 * the image files, and only they, say `cross-origin`. Stylesheets, scripts, pages and 404s keep
 * same-origin. /static is served before ltijs, so its helmet never overrides this.
 */
export function staticFileHeaders(publicDir: string): (res: ServerResponse, filePath: string) => void {
  const images = path.resolve(publicDir, 'img') + path.sep;
  return (res, filePath) => {
    if (path.resolve(filePath).startsWith(images)) res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  };
}
