// SPDX-License-Identifier: GPL-2.0
// Stand-ins for the GSS-API, LDAP/LBER and RTMP functions that Debian's libcurl.a references,
// for a fully static link (make STATIC=1): Debian ships no static libgssapi_krb5, and the
// static libldap/librtmp need libp11-kit.a, which Debian lacks either. restartprof uses
// libcurl only for HTTP over the engine's unix socket, which never reaches these: each stub
// fails. Reference copy kept with the VM lab (tests/vm/README.md, "Static binaries"); the
// Makefile change proposed there expects it at src/engine/curl_static_stubs.c and links it
// after libcurl.a.
//
// The list is what `gcc -static` reports undefined when linking libcurl.a (7.88.1, bookworm)
// without -lgssapi_krb5 -lldap -llber -lrtmp (the same on amd64, arm64 and armhf).

long rp_curl_static_stub_fail(void);
long rp_curl_static_stub_fail(void) { return -1; }

/* gss_OID_desc *const GSS_C_NT_HOSTBASED_SERVICE in libgssapi_krb5 */
void *GSS_C_NT_HOSTBASED_SERVICE;

#define STUB(name) long name(void); long name(void) { return rp_curl_static_stub_fail(); }
STUB(RTMP_Alloc)
STUB(RTMP_Close)
STUB(RTMP_Connect1)
STUB(RTMP_ConnectStream)
STUB(RTMP_Free)
STUB(RTMP_Init)
STUB(RTMP_Read)
STUB(RTMP_SetBufferMS)
STUB(RTMP_SetupURL)
STUB(RTMP_Write)
STUB(ber_bvfree)
STUB(ber_free)
STUB(ber_memfree)
STUB(ber_memvfree)
STUB(ber_sockbuf_add_io)
STUB(gss_delete_sec_context)
STUB(gss_display_name)
STUB(gss_display_status)
STUB(gss_import_name)
STUB(gss_init_sec_context)
STUB(gss_inquire_context)
STUB(gss_release_buffer)
STUB(gss_release_name)
STUB(gss_unwrap)
STUB(gss_wrap)
STUB(ldap_abandon_ext)
STUB(ldap_err2string)
STUB(ldap_free_urldesc)
STUB(ldap_get_attribute_ber)
STUB(ldap_get_dn_ber)
STUB(ldap_get_option)
STUB(ldap_init_fd)
STUB(ldap_memfree)
STUB(ldap_msgfree)
STUB(ldap_msgtype)
STUB(ldap_parse_result)
STUB(ldap_parse_sasl_bind_result)
STUB(ldap_pvt_url_scheme2proto)
STUB(ldap_result)
STUB(ldap_sasl_bind)
STUB(ldap_search_ext)
STUB(ldap_set_option)
STUB(ldap_start_tls)
STUB(ldap_unbind_ext)
STUB(ldap_url_parse)
