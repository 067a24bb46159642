/**
 * Incremental Server-Sent Events parser (WHATWG rules) that returns the `data` of each event.
 * Lines may end in LF, CRLF or CR and may be split anywhere across pushes; comments and fields
 * other than `data` are ignored; multi-line data is joined with `\n`.
 */
export class SseDataParser {
  private buffer = '';
  private data: string[] | null = null;
  private isStart = true;

  /** Feeds decoded text; returns the data of every event completed by it. */
  push(text: string): string[] {
    const out: string[] = [];
    this.buffer += text;
    if (this.isStart && this.buffer.length > 0) {
      if (this.buffer.startsWith('\uFEFF')) this.buffer = this.buffer.slice(1);
      this.isStart = false;
    }
    this.drain(out, false);
    return out;
  }

  /**
   * Ends the stream. An event that was not closed by a blank line is still returned: some servers
   * close the connection right after the last `data:` line.
   */
  end(): string[] {
    const out: string[] = [];
    this.drain(out, true);
    if (this.buffer !== '') this.line(this.buffer, out);
    this.buffer = '';
    if (this.data !== null) out.push(this.data.join('\n'));
    this.data = null;
    return out;
  }

  private drain(out: string[], isFinal: boolean): void {
    const terminator = /\r\n|\r|\n/g;
    let start = 0;
    for (let match = terminator.exec(this.buffer); match; match = terminator.exec(this.buffer)) {
      // A CR as the last character may be the first half of a CRLF split across two pushes.
      if (match[0] === '\r' && match.index === this.buffer.length - 1 && !isFinal) break;
      this.line(this.buffer.slice(start, match.index), out);
      start = match.index + match[0].length;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string, out: string[]): void {
    if (line === '') {
      if (this.data !== null) out.push(this.data.join('\n'));
      this.data = null;
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return;
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    (this.data ??= []).push(value);
  }
}
