"""PDF/X-4 identification (ISO 15930-7): OutputIntent with the embedded ICC profile, XMP
metadata naming the standard, /Trapped, dates that agree between Info and XMP."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from xml.sax.saxutils import escape

import pikepdf
from pikepdf import Array, Dictionary, Name

from outreach.rendering.prepress.profile import OutputProfile

PDFX_VERSION = "PDF/X-4"
PDF_VERSION = "1.6"
TIMEZONE = dt.timezone(dt.timedelta(hours=8))   # the shops and the stations are in UTC+8


def add_output_intent(pdf: pikepdf.Pdf, profile: OutputProfile) -> None:
    stream = pikepdf.Stream(pdf, profile.data)
    stream.N = 4
    intent = Dictionary(
        Type=Name.OutputIntent, S=Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(profile.condition_identifier),
        OutputCondition=pikepdf.String(profile.description),
        Info=pikepdf.String(profile.description),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=pdf.make_indirect(stream),
    )
    pdf.Root.OutputIntents = Array([pdf.make_indirect(intent)])


def identify(pdf: pikepdf.Pdf, title: str, when: dt.datetime, seed: bytes) -> None:
    """Info and XMP say PDF/X-4, not trapped, with one title and one set of dates.

    `seed`: bytes the document id is derived from, so the same input gives the same file."""
    info = pdf.docinfo
    title = title or str(info.get(Name.Title, "") or "")
    stamp = pdf_date(when)
    producer = str(info.get(Name.Producer, "") or "WeasyPrint")
    info[Name.Title] = pikepdf.String(title)
    info[Name.Creator] = pikepdf.String("outreach")
    info[Name.Producer] = pikepdf.String(producer)
    info[Name.CreationDate] = pikepdf.String(stamp)
    info[Name.ModDate] = pikepdf.String(stamp)
    info[Name.Trapped] = Name("/False")
    info[Name.GTS_PDFXVersion] = pikepdf.String(PDFX_VERSION)
    document_id = uuid.UUID(bytes=hashlib.sha256(seed).digest()[:16], version=4)
    xmp = _xmp(title, when.isoformat(), producer, f"uuid:{document_id}")
    metadata = pikepdf.Stream(pdf, xmp.encode("utf-8"))
    metadata.Type, metadata.Subtype = Name.Metadata, Name.XML
    pdf.Root.Metadata = pdf.make_indirect(metadata)


def pdf_date(when: dt.datetime) -> str:
    offset = when.strftime("%z")
    return f"D:{when:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def _xmp(title: str, iso: str, producer: str, document_id: str) -> str:
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/"
    xmlns:pdfxid="http://www.npes.org/pdfx/ns/id/">
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <xmp:CreateDate>{iso}</xmp:CreateDate>
   <xmp:ModifyDate>{iso}</xmp:ModifyDate>
   <xmp:MetadataDate>{iso}</xmp:MetadataDate>
   <xmp:CreatorTool>outreach</xmp:CreatorTool>
   <pdf:Producer>{escape(producer)}</pdf:Producer>
   <pdf:Trapped>False</pdf:Trapped>
   <xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>
   <xmpMM:InstanceID>{document_id}</xmpMM:InstanceID>
   <xmpMM:VersionID>1</xmpMM:VersionID>
   <xmpMM:RenditionClass>default</xmpMM:RenditionClass>
   <pdfxid:GTS_PDFXVersion>{PDFX_VERSION}</pdfxid:GTS_PDFXVersion>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""


def drop_interactive(pdf: pikepdf.Pdf) -> None:
    """Links, form fields and scripts have no place on paper; PDF/X forbids most of them in the bleed."""
    for page in pdf.pages:
        if Name.Annots in page.obj:
            del page.obj[Name.Annots]
    for key in (Name.AcroForm, Name.OpenAction):
        if key in pdf.Root:
            del pdf.Root[key]
    names = pdf.Root.get(Name.Names)
    if isinstance(names, Dictionary):
        for key in (Name.JavaScript, Name.EmbeddedFiles):
            if key in names:
                del names[key]
