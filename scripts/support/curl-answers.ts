/** One answer that `curl -i` printed: its status, content type and body. */
export interface CurlAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

const STATUS_LINE = /^HTTP\/[\d.]+ (\d{3})[^\n]*\n/gm;

/**
 * The answers in what a repro's `requests.sh` printed (stdout and stderr together, in order), one
 * per call: each `curl -sS -i` prints a status line, headers, a blank line and the body, and the
 * script an empty line after it. Interim `1xx` answers (`100 Continue`) belong to the next one.
 */
export function curlAnswers(output: string): CurlAnswer[] {
  const starts = [...output.matchAll(STATUS_LINE)];
  const answers: CurlAnswer[] = [];
  starts.forEach((match, i) => {
    const status = Number(match[1]);
    if (status < 200) return;
    const end = starts[i + 1]?.index ?? output.length;
    const block = output.slice(match.index + match[0].length, end).replaceAll('\r\n', '\n');
    const split = block.indexOf('\n\n');
    const headers = split === -1 ? block : block.slice(0, split);
    const body = split === -1 ? '' : block.slice(split + 2);
    const contentType = /^content-type:\s*(.*)$/im.exec(headers)?.[1]?.trim();
    // The script's `echo` after each answer adds one newline; a create's id capture adds none.
    answers.push({ status, contentType, body: body.replace(/\n+$/, '') });
  });
  return answers;
}
