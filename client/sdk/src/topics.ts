/** Topic names and what each one's object is (SPEC §6). */
import type { AgentView, QueueView, Snapshot, Topic } from './protocol.js';

/**
 * The object a topic follows: the whole snapshot, the agents map, or one queue / agent, which is
 * `null` while the hub knows nothing of it (or no longer does).
 */
export type TopicValue<T extends Topic> = T extends 'tenant'
  ? Snapshot
  : T extends 'agents'
    ? Record<string, AgentView>
    : T extends `queue:${string}`
      ? QueueView | null
      : T extends `agent:${string}`
        ? AgentView | null
        : never;

/** Why a topic name is not one, or undefined when it is. */
export function topicProblem(topic: string): string | undefined {
  if (topic === 'tenant' || topic === 'agents') return undefined;
  if (/^(queue|agent):.+$/.test(topic)) return undefined;
  return `unknown topic ${JSON.stringify(topic)}: use tenant, agents, queue:<id> or agent:<id>`;
}
