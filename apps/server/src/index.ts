export { createApp } from './http/app.ts';
export { createServer, loadWebHandler, type LiveLayer, type LiveLayerFactory, type YishiServer } from './server.ts';
export { createDeps, type Deps } from './deps.ts';
export { loadConfig, publicBaseUrl, type Config } from './config.ts';
export { createLogger } from './logger.ts';
