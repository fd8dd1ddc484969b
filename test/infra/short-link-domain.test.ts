import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack } from '../../lib/session-recovery-stack';
import { templateApp } from '../support/template-app';

const certificateArn = 'arn:aws:acm:eu-west-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc';
const stackWith = (shortLinkDomain: { domainName: string; certificateArn: string }) =>
  new SessionRecoveryStack(templateApp(), 'Short', { env: { account: '111122223333', region: 'eu-west-1' }, sessionRecovery: { shortLinkDomain } });

const template = Template.fromStack(stackWith({ domainName: 'go.example.com', certificateArn }));

describe('shortLinkDomain', () => {
  it('puts a custom domain with the given certificate on the HTTP API, mapped to its stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'go.example.com',
      DomainNameConfigurations: [{ CertificateArn: certificateArn, EndpointType: 'REGIONAL' }],
    });
    const [domainId] = Object.keys(template.findResources('AWS::ApiGatewayV2::DomainName'));
    const [apiId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Api'));
    const [stageId] = Object.keys(template.findResources('AWS::ApiGatewayV2::Stage'));
    template.hasResource('AWS::ApiGatewayV2::ApiMapping', {
      Properties: { ApiId: { Ref: apiId }, DomainName: { Ref: domainId }, Stage: '$default' },
      DependsOn: [stageId],
    });
  });

  it('makes mint start short links with https://<domain>, and outputs where to point the name', () => {
    const mint = Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith('SessionRecoveryMint'))![1];
    expect(mint.Properties.Environment.Variables.SHORT_LINK_BASE_URL).toBe('https://go.example.com');
    expect(template.findOutputs('ShortLinkBaseUrl').ShortLinkBaseUrl.Value).toBe('https://go.example.com');
    const [domainId] = Object.keys(template.findResources('AWS::ApiGatewayV2::DomainName'));
    expect(template.findOutputs('ShortLinkDomainTarget').ShortLinkDomainTarget.Value).toEqual({ 'Fn::GetAtt': [domainId, 'RegionalDomainName'] });
  });

  it.each([
    [
      { domainName: 'https://go.example.com', certificateArn },
      'shortLinkDomain.domainName must be a lower-case host name such as go.example.com, got "https://go.example.com"',
    ],
    [{ domainName: 'go.example.com', certificateArn: 'go-cert' }, 'shortLinkDomain.certificateArn must be an ACM certificate ARN, got "go-cert"'],
  ])('refuses %j at synth, naming the fault', (domain, message) => {
    expect(() => stackWith(domain)).toThrow(message);
  });
});
