package dev.tessera.storage.webdav;

import dev.tessera.storage.http.Validators;
import dev.tessera.storage.service.FileTree;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * The RFC 4918 {@code 207 Multi-Status} answer to PROPFIND: the live properties every WebDAV client
 * reads (resourcetype, getcontentlength, getlastmodified, creationdate, getetag, getcontenttype,
 * displayname) for the target and, at Depth 1, its children.
 */
public final class Multistatus {
    private Multistatus() {
    }

    /**
     * The XML document.
     *
     * @param href the target's href, percent-encoded, ending in {@code /} for a directory
     * @param target the target
     * @param children its children (empty at Depth 0 or for a file)
     */
    public static String render(String href, FileTree.Info target, List<FileTree.Info> children) {
        StringBuilder xml = new StringBuilder(256 + 512 * children.size());
        xml.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n");
        response(xml, href, target);
        String base = href.endsWith("/") ? href : href + "/";
        for (FileTree.Info child : children) {
            String childHref = base + Hrefs.encodeSegment(child.name()) + (child.directory() ? "/" : "");
            response(xml, childHref, child);
        }
        return xml.append("</D:multistatus>\n").toString();
    }

    /** The body of a 403 refusing {@code Depth: infinity} (RFC 4918 §9.1). */
    public static String finiteDepthRequired() {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\"><D:propfind-finite-depth/></D:error>\n";
    }

    private static void response(StringBuilder xml, String href, FileTree.Info info) {
        xml.append(" <D:response>\n  <D:href>").append(escape(href)).append("</D:href>\n")
                .append("  <D:propstat>\n   <D:prop>\n")
                .append("    <D:displayname>").append(escape(info.name())).append("</D:displayname>\n");
        if (info.directory()) {
            xml.append("    <D:resourcetype><D:collection/></D:resourcetype>\n");
        } else {
            xml.append("    <D:resourcetype/>\n")
                    .append("    <D:getcontentlength>").append(info.size()).append("</D:getcontentlength>\n")
                    .append("    <D:getcontenttype>application/octet-stream</D:getcontenttype>\n");
        }
        xml.append("    <D:getlastmodified>").append(Validators.httpDate(info.modified())).append("</D:getlastmodified>\n")
                .append("    <D:creationdate>")
                .append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(info.modified() / 1000 * 1000)))
                .append("</D:creationdate>\n")
                .append("    <D:getetag>").append(escape(Validators.etag(info))).append("</D:getetag>\n")
                .append("   </D:prop>\n   <D:status>HTTP/1.1 200 OK</D:status>\n  </D:propstat>\n </D:response>\n");
    }

    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c < 0x20 && c != '\t' ? '?' : c); // XML 1.0 cannot carry control characters
            }
        }
        return out.toString();
    }
}
