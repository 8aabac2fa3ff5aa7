import { render } from 'preact';
import '../../shared/base.css';
import './console.css';
import { App } from './app.js';

document.documentElement.dataset.theme = matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
const root = document.getElementById('app');
if (root === null) throw new Error('the page has no #app element');
render(<App />, root);
