import pkg from '../package.json' with { type: 'json' };

export const HUB_VERSION: string = pkg.version;
