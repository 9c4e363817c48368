// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-ins, for a fully static link only (make STATIC=1), for the GnuTLS functions Debian's
 * libmicrohttpd.a references: its HTTPS code runs only for a daemon started with
 * MHD_USE_TLS, which the /metrics server never asks for. Linking libgnutls.a instead would
 * need libp11-kit.a, which Debian does not ship, and would add megabytes of TLS for nothing.
 * Each stub fails (GnuTLS reports errors as negative numbers); libmicrohttpd's constructor
 * and destructor call gnutls_global_init/deinit and ignore the result. The list is what
 * `gcc -static` reports undefined without -lgnutls (bookworm: libmicrohttpd 0.9.75).
 */

long rp_tls_stub_fail(void);
long rp_tls_stub_fail(void)
{
	return -1;
}

/* gnutls_alloc_function gnutls_malloc: a variable, not a function, in GnuTLS. */
void *gnutls_malloc;

#define STUB(name)                                                                                 \
	long name(void);                                                                           \
	long name(void)                                                                            \
	{                                                                                          \
		return rp_tls_stub_fail();                                                         \
	}
STUB(gnutls_alpn_set_protocols)
STUB(gnutls_bye)
STUB(gnutls_certificate_allocate_credentials)
STUB(gnutls_certificate_free_credentials)
STUB(gnutls_certificate_server_set_request)
STUB(gnutls_certificate_set_dh_params)
STUB(gnutls_certificate_set_retrieve_function2)
STUB(gnutls_certificate_set_retrieve_function3)
STUB(gnutls_certificate_set_x509_key_mem)
STUB(gnutls_certificate_set_x509_key_mem2)
STUB(gnutls_certificate_set_x509_trust_mem)
STUB(gnutls_cipher_get)
STUB(gnutls_credentials_set)
STUB(gnutls_deinit)
STUB(gnutls_dh_params_deinit)
STUB(gnutls_dh_params_import_pkcs3)
STUB(gnutls_dh_params_init)
STUB(gnutls_global_deinit)
STUB(gnutls_global_init)
STUB(gnutls_handshake)
STUB(gnutls_init)
STUB(gnutls_priority_deinit)
STUB(gnutls_priority_init)
STUB(gnutls_priority_set)
STUB(gnutls_protocol_get_version)
STUB(gnutls_psk_allocate_server_credentials)
STUB(gnutls_psk_free_server_credentials)
STUB(gnutls_psk_set_server_credentials_function)
STUB(gnutls_record_check_pending)
STUB(gnutls_record_get_direction)
STUB(gnutls_record_recv)
STUB(gnutls_record_send)
STUB(gnutls_session_get_ptr)
STUB(gnutls_session_set_ptr)
STUB(gnutls_strerror)
STUB(gnutls_transport_set_int2)
