/**
 * The browser pages the hub serves (SPEC §8): the wallboard at /wallboard and the supervisor
 * console at /console, each a Vite build (`npm run build:web`) under its own path. Hashed assets
 * are cached for good; the pages themselves are revalidated, so a deploy shows at the next load.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { Router } from 'express';
import { sendError } from './errors.js';

export const PAGES = ['wallboard', 'console'] as const;

const CLIENT_DIR = fileURLToPath(new URL('../../client/', import.meta.url));

/** `clientDir` holds one folder per page, each with the page's build in `dist/`. */
export function pages(clientDir = CLIENT_DIR): Router {
  const router = Router();
  for (const page of PAGES) {
    const dist = join(clientDir, page, 'dist');
    router.use(
      `/${page}`,
      express.static(dist, {
        index: 'index.html',
        setHeaders: (res, path) => {
          res.setHeader('Cache-Control', path.includes(`${join(dist, 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
          res.setHeader('Referrer-Policy', 'no-referrer');
        },
      }),
      (req, res, next) => {
        if (existsSync(join(dist, 'index.html'))) return next();
        sendError(res, 503, { code: 'not_built', message: `the ${page} is not built: run npm run build:web` });
      },
    );
  }
  return router;
}
