export * from './errors';
export * from './events';
export * from './schemas/chat';
export * from './schemas/health';
export * from './schemas/product';
