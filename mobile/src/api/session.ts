import {
  ApiError,
  createHelioClient,
  errorFromResponse,
  type HelioClient,
  needsPow,
  POW_HEADER,
  type Schemas,
  solvePow,
  unwrap,
} from "@helio/api-client";

import type { TokenStore } from "../security/tokenStore";

type TokenRead = Schemas["TokenRead"];
type MfaChallengeRead = Schemas["MfaChallengeRead"];
type Grant = Schemas["PasswordGrantCreate"] | Schemas["MfaGrantCreate"] | Schemas["RefreshGrantCreate"];

type PowScope = "login" | "register";

export type SignInStep = { kind: "signed_in" } | { kind: "mfa"; methods: string[] };

/**
 * The token session of the app: the access token lives only in this object's memory, the
 * refresh token in the TokenStore; every refresh rotates it (the API revokes the whole
 * family when a used one comes back). Proof of work is solved when the API asks for it.
 */
export class Session {
  readonly client: HelioClient;
  private accessToken: string | null = null;
  private mfaToken: string | null = null;
  private refreshing: Promise<boolean> | null = null;
  private listeners = new Set<(signedIn: boolean) => void>();

  constructor(
    private readonly baseUrl: string,
    private readonly store: TokenStore,
    private readonly fetchImpl: typeof fetch = (input, init) => globalThis.fetch(input, init),
  ) {
    this.client = createHelioClient({ baseUrl, fetch: (request) => this.authorisedFetch(request as Request) });
  }

  get signedIn(): boolean {
    return this.accessToken !== null;
  }

  /** A refresh token from an earlier launch waits in the store. */
  async hasStoredSession(): Promise<boolean> {
    return (await this.store.getRefreshToken()) !== null;
  }

  onChange(listener: (signedIn: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const listener of this.listeners) listener(this.signedIn);
  }

  /** POST /auth/token, solving a proof-of-work challenge once when the API asks. */
  private async grant(body: Grant): Promise<TokenRead | MfaChallengeRead> {
    return (await this.postWithPow("/api/v1/auth/token", body, "login")) as TokenRead | MfaChallengeRead;
  }

  /** A POST without a token; when the API asks for proof of work, solve one and try once more. */
  private async postWithPow(path: string, body: unknown, scope: PowScope): Promise<unknown> {
    let pow: string | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(pow ? { [POW_HEADER]: pow } : {}) },
        body: JSON.stringify(body),
      });
      const payload: unknown = await response.json().catch(() => undefined);
      if (response.ok) return payload;
      const error = errorFromResponse(response.status, payload, response.headers);
      if (attempt === 0 && needsPow(error.code)) {
        pow = await this.solveChallenge(scope);
        continue;
      }
      throw error;
    }
    throw new Error("unreachable");
  }

  private async solveChallenge(scope: PowScope): Promise<string> {
    const response = await this.fetchImpl(`${this.baseUrl}/api/v1/auth/challenge?scope=${scope}`);
    const challenge = (await response.json()) as Schemas["ChallengeRead"];
    return solvePow(challenge.challenge, challenge.difficulty_bits);
  }

  /** Create a customer account; the answer is the same whether the email is taken or not. */
  async register(body: Schemas["RegistrationCreate"]): Promise<void> {
    await this.postWithPow("/api/v1/auth/register", body, "register");
  }

  /**
   * Confirm identity again (a code, or the password when the account has no second factor).
   * The API replaces the session, so the new token pair takes over from the old one.
   */
  async stepUp(body: Schemas["StepUpCreate"]): Promise<void> {
    const answer = await unwrap(this.client.POST("/api/v1/auth/mfa/step-up", { body }));
    if (answer.tokens) await this.accept(answer.tokens);
  }

  private async accept(tokens: TokenRead): Promise<void> {
    this.accessToken = tokens.access_token;
    this.mfaToken = null;
    await this.store.setRefreshToken(tokens.refresh_token);
    this.emit();
  }

  async signIn(email: string, password: string): Promise<SignInStep> {
    const answer = await this.grant({ grant_type: "password", email, password });
    if ("access_token" in answer) {
      await this.accept(answer);
      return { kind: "signed_in" };
    }
    this.mfaToken = answer.mfa_token;
    return { kind: "mfa", methods: answer.mfa_methods };
  }

  /** The second step: a TOTP code or a recovery code. */
  async verifyMfa(code: string): Promise<void> {
    if (!this.mfaToken) throw new Error("no sign-in is waiting for a second factor");
    const answer = await this.grant({ grant_type: "mfa", mfa_token: this.mfaToken, code: code.trim() });
    if (!("access_token" in answer)) throw new Error("the API asked for a second factor twice");
    await this.accept(answer);
  }

  /** Trade the stored refresh token for a new pair; one refresh at a time. */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.doRefresh().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async doRefresh(): Promise<boolean> {
    const refreshToken = await this.store.getRefreshToken();
    if (!refreshToken) return false;
    try {
      const answer = await this.grant({ grant_type: "refresh_token", refresh_token: refreshToken });
      if (!("access_token" in answer)) return false;
      await this.accept(answer);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.status >= 400 && error.status < 500) {
        await this.forget();
      }
      return false;
    }
  }

  /** Drop the tokens on this device (the app locks or the session ended). */
  async forget(): Promise<void> {
    this.accessToken = null;
    this.mfaToken = null;
    await this.store.clear();
    this.emit();
  }

  /** Lock: keep the refresh token in the keystore but drop the access token from memory. */
  lock(): void {
    this.accessToken = null;
  }

  async signOut(): Promise<void> {
    try {
      if (this.accessToken) await unwrap(this.client.POST("/api/v1/auth/logout"));
    } catch {
      // the local tokens go regardless
    }
    await this.forget();
  }

  /** End every other session (the API may ask for a step-up first), then this one. */
  async signOutEverywhere(): Promise<void> {
    await unwrap(this.client.DELETE("/api/v1/auth/sessions"));
    await this.signOut();
  }

  private async authorisedFetch(request: Request): Promise<Response> {
    const send = (token: string | null) => {
      const copy = request.clone();
      if (token) copy.headers.set("Authorization", `Bearer ${token}`);
      return this.fetchImpl(copy);
    };
    const response = await send(this.accessToken);
    if (response.status !== 401 || !(await this.store.getRefreshToken())) return response;
    return (await this.refresh()) ? send(this.accessToken) : response;
  }
}
