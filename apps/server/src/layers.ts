import type { LiveLayerFactory } from './server.ts';

/** The live layers every production server runs, in order (Yjs and socket.io plug in here). */
export const liveLayers: LiveLayerFactory[] = [];
