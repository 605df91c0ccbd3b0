// Authorization server › Settings (the seed's Settings tab): name, audience, description; issuer and metadata URIs
// to copy; signing key rotation AUTO/MANUAL, last and next rotation, the keys; Rotate keys; Activate, Deactivate
// and Delete. API: /api/v1/authorizationServers/{id}, its lifecycle and credentials (okta-api.md 2, 3).
import { h, mount, section, details, field, form, values, lines, button, badge, table, confirm, toast, copyField, formatDate, errorBox, loading } from './ui.js';

export async function renderTab(ctx, server) {
  const canWrite = ctx.abilities.canWrite('authorizationServers');
  const base = `/api/v1/authorizationServers/${encodeURIComponent(server.id)}`;
  const general = h('div', {});
  const keys = h('div', {}, loading('Loading keys…'));
  const signing = server.credentials?.signing || {};
  const metadata = (server._links?.metadata || []).find((m) => m.name === 'oauth-authorization-server')?.href
    || `${server.issuer}/.well-known/oauth-authorization-server`;

  function showGeneral() {
    mount(general, details([
      ['Name', server.name],
      ['Audience', (server.audiences || []).join(', ')],
      ['Description', server.description || '—'],
      ['Status', badge(server.status)],
      ['Signing key rotation', signing.rotationMode === 'MANUAL' ? 'Manual' : 'Automatic'],
      ['Last rotated', formatDate(signing.lastRotated)],
      ['Next rotation', signing.rotationMode === 'MANUAL' ? 'Only when you rotate' : formatDate(signing.nextRotation)],
    ]), canWrite ? h('div', { class: 'form-actions section-actions' }, button('Edit', editGeneral)) : null);
  }

  function editGeneral() {
    mount(general, form({
      label: 'Edit settings',
      onCancel: showGeneral,
      children: [
        field({ label: 'Name', path: 'name', value: server.name, required: true }),
        field({ label: 'Audience', path: 'audiences', value: (server.audiences || []).join('\n'), required: true, help: 'The aud claim of the access tokens this server mints.' }),
        field({ label: 'Description', path: 'description', type: 'textarea', rows: 2, value: server.description || '' }),
        field({ label: 'Signing key rotation', path: 'credentials.signing.rotationMode', name: 'rotationMode', type: 'radio', value: signing.rotationMode || 'AUTO',
          options: [{ value: 'AUTO', label: 'Automatic (recommended): keys roll over on schedule' }, { value: 'MANUAL', label: 'Manual: keys change only when you rotate them' }] }),
      ],
      onSubmit: async (formEl) => {
        const v = values(formEl);
        await ctx.api.put(base, {
          name: v.name, description: v.description, audiences: lines(v.audiences), issuerMode: server.issuerMode,
          credentials: { signing: { rotationMode: v.rotationMode } },
        });
        toast('Settings saved');
        ctx.refresh();
      },
    }));
    general.querySelector('input')?.focus();
  }

  async function loadKeys() {
    try {
      const list = await ctx.api.get(`${base}/credentials/keys`);
      mount(keys, table({
        caption: 'Signing keys',
        columns: [
          { label: 'Key ID (kid)', render: (k) => h('span', { class: 'mono' }, k.kid) },
          { label: 'Status', render: (k) => badge(k.status, { ACTIVE: 'ok', NEXT: 'warn', EXPIRED: 'muted' }[k.status]) },
          { label: 'Algorithm', render: (k) => k.alg },
          { label: 'Use', render: (k) => k.use },
        ],
        rows: list,
        empty: 'This server has no signing keys.',
      }));
    } catch (error) {
      mount(keys, errorBox(error));
    }
  }

  async function rotate() {
    const ok = await confirm({
      title: 'Rotate signing keys',
      message: 'The next key becomes the active key and signs every new token. Tokens already issued stay valid '
        + 'until they expire: clients that cache the keys fetch the new one by its kid.',
      confirmLabel: 'Rotate keys', danger: false,
    });
    if (!ok) return;
    try {
      await ctx.api.post(`${base}/credentials/lifecycle/keyRotate`, { use: 'sig' });
      toast('Signing keys rotated');
      ctx.refresh();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function lifecycle(action) {
    const activating = action === 'activate';
    const ok = await confirm({
      title: activating ? 'Activate authorization server' : 'Deactivate authorization server',
      message: activating ? `"${server.name}" will mint tokens again.`
        : `"${server.name}" stops minting tokens and its issuer endpoints answer as not found until it is activated again.`,
      confirmLabel: activating ? 'Activate' : 'Deactivate', danger: !activating,
    });
    if (!ok) return;
    try {
      await ctx.api.post(`${base}/lifecycle/${action}`);
      toast(activating ? 'Authorization server activated' : 'Authorization server deactivated');
      ctx.refresh();
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  async function remove() {
    const ok = await confirm({
      title: 'Delete authorization server',
      message: `This deletes "${server.name}" with its scopes, claims, policies and keys. Tokens it issued can no longer be verified against its keys. This cannot be undone.`,
      confirmLabel: 'Delete', typed: server.name,
    });
    if (!ok) return;
    try {
      if (server.status === 'ACTIVE') await ctx.api.post(`${base}/lifecycle/deactivate`);
      await ctx.api.del(base);
      toast(`Authorization server "${server.name}" deleted`);
      ctx.navigate('#/servers');
    } catch (error) {
      toast(error.message, 'bad');
    }
  }

  showGeneral();
  await loadKeys();
  return [
    section('General', general),
    section('Endpoints',
      copyField('Issuer', server.issuer),
      copyField('Metadata URI', metadata)),
    section('Signing keys',
      h('p', { class: 'help' }, 'Keys are created, wrapped by KMS and rotated by tokenmint; only their public halves are shown.'),
      keys,
      canWrite ? h('div', { class: 'form-actions section-actions' }, button('Rotate keys', rotate)) : null),
    canWrite ? section('Lifecycle',
      h('div', { class: 'form-actions' },
        server.status === 'ACTIVE'
          ? button('Deactivate', () => lifecycle('deactivate'))
          : button('Activate', () => lifecycle('activate'), { kind: 'primary' }),
        server.default ? null : button('Delete', remove, { kind: 'danger' })),
      server.default ? h('p', { class: 'help' }, 'The default authorization server cannot be deleted.') : null) : null,
  ];
}
