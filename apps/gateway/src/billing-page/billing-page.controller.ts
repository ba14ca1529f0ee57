/**
 * GET /billing: the account owner's billing page (CONTRACT.md "Billing page"). The JWT arrives once as
 * `?token=`; a valid one becomes the HTTP-only session cookie and a 303 to /billing, so the token leaves the
 * address bar and history. Without a valid session the answer is a small 401 page that names no tenant.
 * The routes are @Public() for AuthGuard (a browser must get a page, not the JSON 401) and verify the
 * cookie themselves with the same TokenVerifier. The page's script then calls the JSON API with the cookie
 * (see csrf.guard.ts for the header it must send on writes).
 */
import { createHash } from 'node:crypto';
import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { loadCatalog } from '@tollgate/catalog';
import { BillingSubject, DomainError, ErrorCode, type Tenant } from '@tollgate/contracts';
import { NatsBus } from '@tollgate/messaging';
import { Public } from '@tollgate/service-runtime';
import type { Principal } from '../services/principal';
import { TokenVerifier } from '../services/token-verifier.service';
import { BILLING_PAGE_SCRIPT } from './assets/billing-page.client';
import { BILLING_PAGE_STYLES } from './assets/billing-page.styles';
import { renderBillingPage, renderMessagePage, type PageAssets, type PlanChoice } from './billing-page.html';
import {
  SESSION_COOKIE,
  clearSessionCookieOptions,
  sessionCookieOptions,
  sessionMaxAgeSeconds,
  sessionToken,
} from './session-cookie';

interface Asset {
  body: string;
  contentType: string;
  version: string;
}

function asset(body: string, contentType: string): Asset {
  return { body, contentType, version: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

const ASSETS: Record<string, Asset> = {
  'billing-page.js': asset(BILLING_PAGE_SCRIPT, 'text/javascript; charset=utf-8'),
  'billing-page.css': asset(BILLING_PAGE_STYLES, 'text/css; charset=utf-8'),
};

const PAGE_ASSETS: PageAssets = {
  script: `/billing/assets/billing-page.js?v=${ASSETS['billing-page.js'].version}`,
  styles: `/billing/assets/billing-page.css?v=${ASSETS['billing-page.css'].version}`,
};

/** Tighter than the gateway-wide Helmet policy: the page loads only its own script and stylesheet. */
function pagePolicy(req: Request): string {
  const directives = [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ];
  if (req.secure) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

@ApiExcludeController()
@Public()
@Controller('billing')
export class BillingPageController {
  private readonly plans: PlanChoice[];

  constructor(
    private readonly verifier: TokenVerifier,
    private readonly bus: NatsBus,
  ) {
    this.plans = Object.values(loadCatalog().plans)
      .filter((plan) => plan.baseline !== true)
      .map((plan) => ({ id: plan.id, name: plan.name }));
  }

  @Get()
  async page(@Query('token') token: unknown, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Content-Security-Policy', pagePolicy(req));
    if (token !== undefined) {
      const principal = typeof token === 'string' ? await this.verified(token) : null;
      if (!principal) {
        this.message(
          res,
          401,
          'This sign-in link does not work',
          'It is invalid or has expired. Ask for a new link.',
        );
        return;
      }
      res.cookie(SESSION_COOKIE, token, sessionCookieOptions(req, sessionMaxAgeSeconds(token as string)));
      res.redirect(303, '/billing');
      return;
    }
    const cookie = sessionToken(req);
    const principal = cookie ? await this.verified(cookie) : null;
    if (!principal) {
      if (cookie) res.clearCookie(SESSION_COOKIE, clearSessionCookieOptions(req));
      this.message(
        res,
        401,
        'Sign in to see billing',
        'Open the billing link from your account settings to sign in. Links are valid for a limited time.',
      );
      return;
    }
    if (principal.role === 'operator' || principal.tenantId === null) {
      this.message(
        res,
        403,
        'This page is for tenant accounts',
        'Operators manage tenants through the API (see /docs).',
      );
      return;
    }
    const tenant = await this.tenant(principal.tenantId);
    res
      .status(200)
      .type('html')
      .send(
        renderBillingPage({
          role: principal.role,
          userId: principal.userId,
          tenantId: principal.tenantId,
          tenantName: tenant?.name ?? principal.tenantId,
          locale: tenant?.locale ?? null,
          timeZone: tenant?.timeZone ?? null,
          plans: this.plans,
          assets: PAGE_ASSETS,
        }),
      );
  }

  /** The page's script and stylesheet, embedded in the build (see docs/billing-page.md). */
  @Get('assets/:name')
  assetFile(@Param('name') name: string, @Query('v') version: unknown, @Res() res: Response): void {
    const file = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!file) throw new DomainError(ErrorCode.NotFound, 'no such asset');
    res.setHeader(
      'Cache-Control',
      version === file.version ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.status(200).type(file.contentType).send(file.body);
  }

  /** Ends the browser session (the token itself stays valid until its exp; the cookie is what goes). */
  @Post('sign-out')
  @HttpCode(204)
  signOut(@Req() req: Request, @Res({ passthrough: true }) res: Response): void {
    res.clearCookie(SESSION_COOKIE, clearSessionCookieOptions(req));
  }

  private async verified(token: string): Promise<Principal | null> {
    try {
      return await this.verifier.verify(token);
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.Unauthenticated) return null;
      throw error;
    }
  }

  /** The tenant's display name, locale and time zone; the page still works (with the id) if billing is slow. */
  private async tenant(tenantId: string): Promise<Tenant | null> {
    try {
      return await this.bus.request(BillingSubject.GetTenant, { tenantId }, { timeoutMs: 2000 });
    } catch {
      return null;
    }
  }

  private message(res: Response, status: number, title: string, text: string): void {
    res
      .status(status)
      .type('html')
      .send(renderMessagePage(title, text, PAGE_ASSETS));
  }
}
