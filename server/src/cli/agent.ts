import { createAgentSchema, agentRoleSchema } from '@aisle/shared';
import { presentAgent } from '../agents/agentAuth';
import { hashPassword, MIN_PASSWORD_LENGTH } from '../agents/passwords';
import { AgentExistsError, createAgentRepository, type AgentRepository } from '../db/agentRepository';
import { databaseLocation, openDatabase } from '../db/database';
import { parseCliArgs } from './cliArgs';
import { loadCliConfig } from './cliConfig';

/** What shoppers see for an agent created without a display name. */
const DEFAULT_AGENT_NAME = 'A team member';

const USAGE = `Aisle agent accounts

Usage:
  pnpm agent create --email <email> --role <agent|admin> [--name <name>]
                                          --name is what shoppers see ("Sam joined the chat");
                                          without it they see "${DEFAULT_AGENT_NAME}", never the email
  pnpm agent rename --email <email> --name <name>
  pnpm agent list
  pnpm agent disable --email <email>
  pnpm agent enable --email <email>
  pnpm agent password --email <email>     Set a new password (signs the agent out everywhere)
  pnpm agent help                         Show this help (also --help, -h)

The password is asked for without echo on a terminal, or read from the first line of stdin:
  printf '%s\\n' "$PASSWORD" | pnpm agent create --email ann@shop.example --role admin
It must be at least ${MIN_PASSWORD_LENGTH} characters. There is no default password.
Accounts live in the database in the data dir of the config (aisle.yaml, AISLE_DATA_DIR).
`;

/** Reads a line from the terminal without echoing it. */
function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stdout.write(prompt);
    stdin.setRawMode(true);
    stdin.setEncoding('utf8');
    stdin.resume();
    let value = '';
    const done = (result: () => void) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stdout.write('\n');
      result();
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done(() => resolve(value));
        if (ch === '\u0003' || ch === '\u0004') return done(() => reject(new Error('Cancelled.')));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.on('data', onData);
  });
}

/** The new password: typed twice on a terminal, else the first line of stdin. */
async function readNewPassword(): Promise<string> {
  if (process.stdin.isTTY) {
    const first = await promptHidden('Password: ');
    const second = await promptHidden('Password again: ');
    if (first !== second) throw new Error('The two passwords differ.');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 1;
}

async function findOrFail(agents: AgentRepository, email: string | undefined) {
  if (!email) return { error: fail(`Which account? Pass --email.\n\n${USAGE}`) };
  const agent = await agents.findByEmail(email);
  if (!agent) return { error: fail(`There is no agent with the email ${email}. See: pnpm agent list`) };
  return { agent };
}

async function run(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv, {
    command: 'pnpm agent',
    usage: USAGE,
    options: { email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
    allowPositionals: true,
  });
  if (args.isDone) return args.exitCode;
  const { positionals, values } = args;
  const command = positionals[0] ?? 'help';
  if (command === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!['create', 'list', 'disable', 'enable', 'password', 'rename'].includes(command))
    return fail(`Unknown command "${command}".\n\n${USAGE}`);

  const loaded = loadCliConfig();
  if (!loaded) return 1;
  const db = await openDatabase(databaseLocation(loaded));
  const agents = createAgentRepository(db);
  try {
    if (command === 'list') {
      const rows = (await agents.list()).map(presentAgent);
      if (rows.length === 0) {
        process.stdout.write(
          'No agent accounts yet. Create the first admin with: pnpm agent create --email <email> --role admin\n',
        );
        return 0;
      }
      const width = Math.max(...rows.map((a) => a.email.length), 5);
      for (const a of rows) {
        process.stdout.write(
          `${a.email.padEnd(width)}  ${a.role.padEnd(5)}  ${(a.disabled ? 'disabled' : 'active').padEnd(8)}  ${a.name}\n`,
        );
      }
      return 0;
    }

    if (command === 'create') {
      const role = agentRoleSchema.safeParse(values.role);
      if (!role.success) return fail(`--role must be agent or admin.\n\n${USAGE}`);
      if (!values.email) return fail(`--email is required.\n\n${USAGE}`);
      const password = await readNewPassword();
      const parsed = createAgentSchema.safeParse({
        email: values.email,
        name: values.name ?? DEFAULT_AGENT_NAME,
        role: role.data,
        password,
      });
      if (!parsed.success) return fail(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
      try {
        const created = await agents.create({ ...parsed.data, passwordHash: await hashPassword(parsed.data.password) });
        process.stdout.write(`Created ${created.role} ${created.email} (${created.name}). Sign in at /agent.\n`);
        return 0;
      } catch (err) {
        if (err instanceof AgentExistsError) return fail(err.message);
        throw err;
      }
    }

    const found = await findOrFail(agents, values.email);
    if (!found.agent) return found.error ?? 1;
    if (command === 'rename') {
      const name = createAgentSchema.shape.name.safeParse(values.name);
      if (!name.success) return fail(`--name is required (1 to 100 characters).\n\n${USAGE}`);
      await agents.update(found.agent.id, { name: name.data });
      process.stdout.write(`${found.agent.email} is now shown to shoppers as ${name.data}.\n`);
      return 0;
    }
    if (command === 'password') {
      const password = await readNewPassword();
      if (password.length < MIN_PASSWORD_LENGTH) return fail(`password: at least ${MIN_PASSWORD_LENGTH} characters`);
      await agents.update(found.agent.id, { passwordHash: await hashPassword(password) });
      await agents.deleteSessionsOf(found.agent.id);
      process.stdout.write(`New password set for ${found.agent.email}; their sessions have ended.\n`);
      return 0;
    }
    const disabled = command === 'disable';
    await agents.update(found.agent.id, { disabled });
    // Sessions end now; a running server notices on the agent's next request or socket event.
    if (disabled) await agents.deleteSessionsOf(found.agent.id);
    process.stdout.write(`${disabled ? 'Disabled' : 'Enabled'} ${found.agent.email}.\n`);
    return 0;
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
