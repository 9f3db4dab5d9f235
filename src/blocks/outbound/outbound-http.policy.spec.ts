// OutboundHttp's private-address policy: loopback, private and link-local addresses by literal, by name and by
// redirect; schemes; what onRefused hears; and how a failed lookup or connection reads.
import { describe, expect, it } from '@jest/globals';
import { startHttpPeer } from '../../../test/blocks/peers/http-peer.js';
import type { HostResolver } from './host-resolver.js';
import { failure, outbound, peer, peerIsPublic, table, useOutboundPeer } from './outbound-http.fixtures.js';

// One describe around the whole file: its hooks stay its own when it runs in a bundle (test/bundles).
describe('OutboundHttp', () => {
  useOutboundPeer();

  describe('OutboundHttp: the private-address policy', () => {
    it('refuses loopback, naming the host, the address and the config key, and sends nothing', async () => {
      const before = peer.requests.length;
      const error = await failure(outbound().fetch(`${peer.url}/hello`));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('127.0.0.1');
      expect(error.message).toContain('loopback');
      expect(error.message).toContain('http.allow_private_addresses');
      expect(error.details).toMatchObject({ host: '127.0.0.1', address: '127.0.0.1', kind: 'loopback', config_key: 'http.allow_private_addresses' });
      expect(peer.requests.length).toBe(before);
    });

    it('refuses 10.x, IPv6 loopback and IPv4-mapped IPv6 literals', async () => {
      const http = outbound();
      expect((await failure(http.fetch('http://10.1.2.3/api'))).details).toMatchObject({ kind: 'private' });
      expect((await failure(http.fetch('http://[::1]:8080/'))).details).toMatchObject({ kind: 'loopback' });
      expect((await failure(http.fetch('http://[::ffff:127.0.0.1]/'))).details).toMatchObject({ address: '::ffff:7f00:1' });
      expect((await failure(http.fetch('http://169.254.169.254/latest/meta-data'))).details).toMatchObject({ kind: 'link-local' });
    });

    it('refuses a public-looking name that resolves to 127.0.0.1', async () => {
      const before = peer.requests.length;
      const resolve = table({ 'api.example.com': '127.0.0.1' });
      const error = await failure(outbound({ resolve }).fetch(`http://api.example.com:${peer.port}/hello`));
      expect(error.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(error.message).toContain('api.example.com (127.0.0.1)');
      expect(error.details).toMatchObject({ host: 'api.example.com', address: '127.0.0.1' });
      expect(peer.requests.length).toBe(before);
    });

    it('refuses a name when any one of its addresses is private', async () => {
      const resolve: HostResolver = async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.7', family: 4 },
      ];
      const error = await failure(outbound({ resolve }).fetch('http://mixed.example.com/'));
      expect(error.details).toMatchObject({ host: 'mixed.example.com', address: '10.0.0.7', kind: 'private' });
    });

    it('refuses a redirect to loopback, by address or by a name that resolves there', async () => {
      const resolve = table({ 'sneaky.example.com': '127.0.0.2' });
      const http = outbound({ classifyAddress: peerIsPublic, resolve });
      const literal = await failure(http.fetch(`${peer.url}/redirect/${encodeURIComponent('http://127.0.0.2/admin')}`));
      expect(literal.code).toBe('OUTBOUND_ADDRESS_REFUSED');
      expect(literal.details).toMatchObject({ address: '127.0.0.2', kind: 'loopback' });
      const named = await failure(http.fetch(`${peer.url}/redirect/${encodeURIComponent(`http://sneaky.example.com:${peer.port}/hello`)}`));
      expect(named.details).toMatchObject({ host: 'sneaky.example.com', address: '127.0.0.2' });
    });

    it('refuses schemes other than http and https, and text that is not a URL', async () => {
      expect((await failure(outbound().fetch('file:///etc/passwd'))).code).toBe('OUTBOUND_BAD_URL');
      expect((await failure(outbound().fetch('not a url'))).message).toContain('not a valid URL');
      const redirectToFile = await failure(outbound({ allowPrivateAddresses: true }).fetch(`${peer.url}/redirect/${encodeURIComponent('file:///etc/passwd')}`));
      expect(redirectToFile.code).toBe('OUTBOUND_BAD_URL');
    });

    it('tells onRefused the reason of each request refused before it left, and nothing for one that failed later', async () => {
      const reasons: string[] = [];
      const onRefused = (reason: string) => void reasons.push(reason);
      await failure(outbound({ onRefused }).fetch(`${peer.url}/hello`));
      await failure(outbound({ onRefused }).fetch('file:///etc/passwd'));
      const credential = {
        credential: { name: 'team-api', provider: 'http', type: 'api_key' as const, fields: {}, hosts: ['api.example.com'] },
        headers: { authorization: 'Bearer sk-team' },
      };
      await failure(outbound({ allowPrivateAddresses: true, onRefused }).fetch(`${peer.url}/echo`, { credential }));
      await failure(outbound({ onRefused, resolve: table({}) }).fetch('http://nowhere.example.test/'));
      await outbound({ allowPrivateAddresses: true, onRefused }).fetch(`${peer.url}/hello`);
      expect(reasons).toEqual(['private_address', 'bad_url', 'credential_host']);
    });

    it('says clearly when a name does not resolve or the connection is refused', async () => {
      const unknown = await failure(outbound({ resolve: table({}) }).fetch('http://nowhere.example.test/'));
      expect(unknown.code).toBe('OUTBOUND_REQUEST_FAILED');
      expect(unknown.message).toContain('nowhere.example.test');
      const closed = await startHttpPeer(() => undefined);
      const port = closed.port;
      await closed.close();
      const refused = await failure(outbound({ allowPrivateAddresses: true }).fetch(`http://127.0.0.1:${port}/`));
      expect(refused.code).toBe('OUTBOUND_REQUEST_FAILED');
      expect(refused.message).toContain('refused');
    });
  });
});
