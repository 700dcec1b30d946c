export { MemoryDriver, type MemoryDriverCall } from './memory-driver.js';
