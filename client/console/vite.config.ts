import { pageConfig } from '../vite.shared.js';

export default pageConfig('console');
