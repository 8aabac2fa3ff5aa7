import { render } from 'preact';
import '../../shared/base.css';
import './wallboard.css';
import { Board } from './board.js';
import { parseWallboardUrl } from './config.js';

const parsed = parseWallboardUrl(location.search);
document.documentElement.dataset.theme = parsed.ok ? parsed.config.theme : parsed.theme;
const root = document.getElementById('app');
if (root === null) throw new Error('the page has no #app element');

render(
  parsed.ok ? (
    <Board config={parsed.config} />
  ) : (
    <div class="message" role="alert" data-message="config">
      <h1>This wallboard link is not complete</h1>
      <ul>
        {parsed.problems.map((p) => (
          <li key={p}>{p}</li>
        ))}
      </ul>
      <p>Example: /wallboard?token=…&amp;queues=sales,support&amp;window=15m&amp;theme=dark</p>
    </div>
  ),
  root,
);
