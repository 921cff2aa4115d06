// Progress display: an animated spinner line on a terminal, plain timestamp-free lines otherwise.

/** A running progress indicator. */
export interface Progress {
  update(label: string): void
  succeed(label?: string): void
  fail(label?: string): void
}

/** Where progress is written and how. */
export interface ProgressTarget {
  write(text: string): void
  interactive: boolean
  color: boolean
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

/**
 * Starts a progress indicator for `label`. On a terminal it redraws one line every 80 ms (the timer is
 * unref'd so it never keeps the process alive); elsewhere it prints one line per change.
 */
export function startProgress(target: ProgressTarget, label: string): Progress {
  let current = label
  let frame = 0
  let done = false
  const green = (s: string) => (target.color ? `\u001b[32m${s}\u001b[39m` : s)
  const red = (s: string) => (target.color ? `\u001b[31m${s}\u001b[39m` : s)
  let timer: NodeJS.Timeout | undefined
  if (target.interactive) {
    const draw = () => target.write(`\r\u001b[2K${FRAMES[frame++ % FRAMES.length]} ${current}`)
    draw()
    timer = setInterval(draw, 80)
    timer.unref()
  } else {
    target.write(`... ${current}\n`)
  }
  const finish = (mark: string, text: string) => {
    if (done) return
    done = true
    if (timer) clearInterval(timer)
    target.write(target.interactive ? `\r\u001b[2K${mark} ${text}\n` : `${mark} ${text}\n`)
  }
  return {
    update(next) {
      if (done || next === current) return
      current = next
      if (!target.interactive) target.write(`... ${current}\n`)
    },
    succeed(text) {
      finish(green(target.interactive ? '✔' : 'ok'), text ?? current)
    },
    fail(text) {
      finish(red(target.interactive ? '✖' : 'failed'), text ?? current)
    },
  }
}
