// SPDX-License-Identifier: GPL-2.0-only
/*
 * Stand-ins, for a fully static link only (make STATIC=1), for library features restartprof
 * never reaches:
 * - GSS-API, LDAP/LBER and RTMP, referenced by Debian's libcurl.a: Debian ships no static
 *   libgssapi_krb5, and its static libldap and librtmp need libp11-kit.a, which Debian lacks.
 *   restartprof speaks only HTTP over the engine's unix socket.
 * - libxml2's text writer, referenced by libarchive's xar writer: restartprof writes pax
 *   archives only, and a static libxml2 would drag in ICU's 30 MB of data.
 * Each stub fails; their signatures do not matter, as nothing calls them. The list is what
 * `gcc -static` reports undefined when these libraries are left out (bookworm: curl 7.88.1,
 * libarchive 3.6.2), the same on amd64, arm64 and armhf. Linked after the libraries.
 */

long rp_static_stub_fail(void);
long rp_static_stub_fail(void)
{
	return -1;
}

/* gss_OID_desc *const GSS_C_NT_HOSTBASED_SERVICE in libgssapi_krb5 */
void *GSS_C_NT_HOSTBASED_SERVICE;

#define STUB(name)                                                                                 \
	long name(void);                                                                           \
	long name(void)                                                                            \
	{                                                                                          \
		return rp_static_stub_fail();                                                      \
	}
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
STUB(UTF8Toisolat1)
STUB(xmlBufferCreate)
STUB(xmlBufferFree)
STUB(xmlFreeTextWriter)
STUB(xmlNewTextWriterMemory)
STUB(xmlTextWriterEndDocument)
STUB(xmlTextWriterEndElement)
STUB(xmlTextWriterSetIndent)
STUB(xmlTextWriterStartDocument)
STUB(xmlTextWriterStartElement)
STUB(xmlTextWriterWriteAttribute)
STUB(xmlTextWriterWriteBase64)
STUB(xmlTextWriterWriteFormatAttribute)
STUB(xmlTextWriterWriteString)
