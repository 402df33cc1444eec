import { socketLayer } from './live/socket.ts';
import type { LiveLayerFactory } from './server.ts';
import { yjsLayer } from './yjs/layer.ts';

/** The live layers every production server runs, in order (Yjs and socket.io plug in here). */
export const liveLayers: LiveLayerFactory[] = [yjsLayer, socketLayer];
