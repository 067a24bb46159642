export * from './errors';
export * from './agentEvents';
export * from './events';
export * from './schemas/agent';
export * from './schemas/chat';
export * from './schemas/health';
export * from './schemas/product';
export * from './text';
