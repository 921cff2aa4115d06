// A thread's blocking wait for a worker thread's answers (the synchronous store ports sit on worker threads): the
// worker posts each answer on a port, then moves a shared flag to the answer's sequence number and notifies.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads'

/** The wait goes in slices, so a worker that dies without answering is noticed at the deadline, not never. */
const SLICE_MS = 100

/** What one blocking wait needs to know. */
export interface AnswerWait<T> {
  /** Epoch ms after which the wait gives up. */
  deadline: number
  /** The sequence number still awaited: once the flag reaches it, its answer is on the port. */
  awaitedSeq(): number
  /** True when every awaited answer was handled. */
  done(): boolean
  onAnswer(answer: T): void
}

/** Blocks until `done()`, handing each answer taken off `port` to `onAnswer`; false when the deadline came first. */
export function blockForAnswers<T>(port: MessagePort, signal: Int32Array, wait: AnswerWait<T>): boolean {
  for (;;) {
    const m = receiveMessageOnPort(port)
    if (m) {
      wait.onAnswer(m.message as T)
      continue
    }
    if (wait.done()) return true
    const left = wait.deadline - Date.now()
    if (left <= 0) return false
    const seen = Atomics.load(signal, 0)
    if (seen < wait.awaitedSeq()) Atomics.wait(signal, 0, seen, Math.min(left, SLICE_MS))
  }
}
