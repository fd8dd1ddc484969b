import { Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DEFAULT_ROUTE, type FunctionName, ROUTE_LIST } from '../lambdas/http/routes';
import { API_ACCESS_LOG_FORMAT } from './access-log-format';
import { DEFAULTS } from './defaults';
import type { ShortLinkDomain, SessionRecoveryProps } from './props';
import { routeThrottles } from './throttles';

/** The HTTP API as built: its stage, and the custom domain short links are served on, when there is one. */
export interface PublicApi {
  readonly api: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly shortLinkDomain?: apigw.DomainName;
  /** Where short links start: `https://<shortLinkDomain>`, or the API's URL. */
  readonly shortLinkBaseUrl: string;
}

/**
 * The HTTP API with a route for each of the routes table's (lambdas/http/routes.ts), the
 * catch-all 404, the `$default` stage with its access log and throttles, and the short-link
 * domain (in `scope`, so their logical ids are the construct's).
 */
export const publicApi = (scope: Construct, props: SessionRecoveryProps, targets: Readonly<Record<FunctionName, lambda.IFunction>>): PublicApi => {
  // No corsPreflight here: the Lambdas answer OPTIONS themselves (middy), so one mechanism owns CORS.
  const api = new apigw.HttpApi(scope, 'Api', { createDefaultStage: false });
  const accessLogs = new logs.LogGroup(scope, 'ApiAccessLogs', {
    // Under /aws/vendedlogs/, API Gateway needs no entry in the account's one CloudWatch Logs resource
    // policy, whose 5,120 characters other services' log deliveries may already have used up.
    logGroupName: `/aws/vendedlogs/apigateway/${Names.uniqueResourceName(scope, { maxLength: 200, separator: '-' })}/access`,
    retention: props.logRetention ?? DEFAULTS.logRetention,
    // The record of who called what: kept when the stack is deleted (README, Removing it), until its retention ends it.
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const stage = new apigw.HttpStage(scope, 'DefaultStage', {
    httpApi: api,
    stageName: '$default',
    autoDeploy: true,
    throttle: props.throttle ?? DEFAULTS.throttle,
    accessLogSettings: {
      destination: new apigw.LogGroupLogDestination(accessLogs),
      format: AccessLogFormat.custom(API_ACCESS_LOG_FORMAT),
    },
  });

  const integrations = new Map<FunctionName, HttpLambdaIntegration>();
  const integrationFor = (fn: FunctionName): HttpLambdaIntegration => {
    let integration = integrations.get(fn);
    if (!integration) {
      integration = new HttpLambdaIntegration(`${fn}-integration`, targets[fn]);
      integrations.set(fn, integration);
    }
    return integration;
  };
  for (const route of ROUTE_LIST) {
    const methods = [apigw.HttpMethod[route.method]];
    if (route.access === 'public') methods.push(apigw.HttpMethod.OPTIONS);
    const added = api.addRoutes({
      path: route.path,
      methods,
      integration: integrationFor(route.fn),
      authorizer: route.access === 'iam' ? new HttpIamAuthorizer() : undefined,
    });
    if (route.access !== 'iam') {
      for (const r of added) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.access === 'open'
              ? 'Public by design: people open short links from SMS; the 95-bit code is the credential, a GetItem of it is all the route can do, and it is throttled.'
              : 'Public by design: browsers on customer sites call it with a signed link; each request carries a token verified in constant time before any data is read.',
        });
      }
    }
  }

  const defaultRoute = new apigw.HttpRoute(api, 'DefaultRoute', {
    httpApi: api,
    routeKey: apigw.HttpRouteKey.DEFAULT,
    integration: integrationFor(DEFAULT_ROUTE.fn),
  });
  Validations.of(defaultRoute).acknowledge({
    id: 'AwsSolutions-APIG4',
    reason: 'The catch-all route answers 404 not_found to any request no other route serves; its Lambda reads no data and has no permission but its own logs.',
  });

  const routeSettings = routeThrottles(props);
  const shortLinkDomain = props.shortLinkDomain ? customDomain(scope, props.shortLinkDomain, api, stage) : undefined;

  const cfnStage = stage.node.defaultChild as apigw.CfnStage;
  cfnStage.addPropertyOverride('RouteSettings', routeSettings);
  // Route settings name routes, so the stage must come after them.
  for (const child of api.node.children) {
    if (child instanceof apigw.HttpRoute) cfnStage.node.addDependency(child);
  }
  const shortLinkBaseUrl = props.shortLinkDomain ? `https://${props.shortLinkDomain.domainName}` : api.apiEndpoint;
  return { api, stage, shortLinkDomain, shortLinkBaseUrl };
};

/** The custom domain short links are served on, mapped to the stage; synth fails on a name or certificate AWS would refuse. */
const customDomain = (scope: Construct, { domainName, certificateArn }: ShortLinkDomain, api: apigw.HttpApi, stage: apigw.HttpStage): apigw.DomainName => {
  if (!Token.isUnresolved(domainName) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
    throw new Error(`shortLinkDomain.domainName must be a lower-case host name such as go.example.com, got "${domainName}"`);
  }
  if (!Token.isUnresolved(certificateArn) && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)) {
    throw new Error(`shortLinkDomain.certificateArn must be an ACM certificate ARN, got "${certificateArn}"`);
  }
  // An HTTP API's custom domain takes a certificate of its own region only; the deploy would fail after minutes.
  const certificateRegion = Token.isUnresolved(certificateArn) ? undefined : certificateArn.split(':')[3];
  const stackRegion = Stack.of(scope).region;
  if (certificateRegion !== undefined && !Token.isUnresolved(stackRegion) && certificateRegion !== stackRegion) {
    throw new Error(`shortLinkDomain.certificateArn must be a certificate in the stack's region (${stackRegion}), got one in ${certificateRegion}`);
  }
  const domain = new apigw.DomainName(scope, 'ShortLinkDomain', {
    domainName,
    certificate: acm.Certificate.fromCertificateArn(scope, 'ShortLinkCertificate', certificateArn),
  });
  new apigw.ApiMapping(scope, 'ShortLinkMapping', { api, domainName: domain, stage });
  return domain;
};
