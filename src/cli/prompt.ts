// Reads a line from the terminal, optionally without echo (for passphrases and keys typed by the operator).
import { createInterface } from 'node:readline'
import { Writable, type Readable } from 'node:stream'

/** Asks `question` on `output` and resolves with the typed line; `hidden` suppresses the echo of what is typed. */
export function promptLine(
  question: string,
  options: { input: Readable; output: { write(s: string | Uint8Array): unknown }; hidden: boolean },
): Promise<string> {
  const { input, output, hidden } = options
  return new Promise((resolve, reject) => {
    let muted = false
    const echo = new Writable({
      write(chunk: Buffer | string, _enc, cb) {
        if (!muted) output.write(chunk)
        cb()
      },
    })
    const rl = createInterface({
      input,
      output: echo,
      terminal: (input as Readable & { isTTY?: boolean }).isTTY === true,
    })
    const onClose = () => reject(new Error('input closed before a line was entered'))
    rl.on('close', onClose)
    rl.question(question, (answer) => {
      muted = false
      if (hidden) output.write('\n')
      rl.off('close', onClose)
      rl.close()
      resolve(answer)
    })
    muted = hidden
  })
}
