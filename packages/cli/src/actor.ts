import { userInfo } from "node:os";

/**
 * Who a manual control from this CLI is recorded as: `cli:<local user>` on the machine running it.
 * Characters an actor name may not hold become `_`; without a user name it is `cli:unknown`.
 */
export function cliActor(username: () => string = () => userInfo().username): string {
  let name: string;
  try {
    name = username();
  } catch {
    name = "";
  }
  const clean = name.replace(/[^A-Za-z0-9._@-]/g, "_").slice(0, 100);
  return `cli:${/^[A-Za-z0-9]/.test(clean) ? clean : `unknown${clean}`}`;
}
