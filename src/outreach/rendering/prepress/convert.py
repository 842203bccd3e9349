"""Every colour of a PDF to DeviceCMYK: content-stream operators, images, shadings, transparency
groups, soft masks, patterns and forms at any depth. Grey stays grey (DeviceGray prints on black
ink); CMYK, Lab and spot colours stay as they are."""

from __future__ import annotations

import zlib
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from outreach.rendering.prepress.colour import ColourMap

_RGB = "rgb"
_OTHER = "other"
_PATTERN = "pattern"


def _number(value: float) -> Decimal:
    # Four decimals: 1/10000 of full ink is far below what a plate can hold, and streams stay short.
    return Decimal(f"{value:.4f}").normalize() if value else Decimal(0)


def colour_space_kind(space) -> str:
    """'rgb' for the colour spaces a print master must not keep, 'pattern' for patterns."""
    if isinstance(space, Name):
        if space in (Name.DeviceRGB, Name.RGB):
            return _RGB
        return _PATTERN if space == Name.Pattern else _OTHER
    if isinstance(space, Array) and len(space):
        family = space[0]
        if family == Name.CalRGB:
            return _RGB
        if family == Name.ICCBased:
            return _RGB if int(space[1].get(Name.N, 0)) == 3 else _OTHER
        if family == Name.Pattern:
            return _PATTERN
    return _OTHER


class PdfConverter:
    """Converts one open PDF in place."""

    def __init__(self, pdf: pikepdf.Pdf, colours: ColourMap) -> None:
        self.pdf = pdf
        self.colours = colours
        self._done: set[tuple[int, int]] = set()
        self._resources: list = []
        self._cmyk_space = Name.DeviceCMYK

    # -- colours -------------------------------------------------------------------------------------
    def cmyk(self, r, g, b) -> list[Decimal]:
        return [_number(v) for v in self.colours.rgb(float(r), float(g), float(b))]

    # -- content streams -----------------------------------------------------------------------------
    def convert_stream_content(self, instructions, resources) -> list:
        """Instructions with every RGB colour operator rewritten to CMYK."""
        spaces = resources.get(Name.ColorSpace) if resources is not None else None
        fill = stroke = _OTHER
        out = []
        for item in instructions:
            if isinstance(item, pikepdf.ContentStreamInlineImage):
                out.append(self._inline_image(item))
                continue
            operands, operator = item.operands, str(item.operator)
            if operator in ("rg", "RG") and len(operands) == 3:
                out.append(pikepdf.ContentStreamInstruction(self.cmyk(*operands), Operator("k" if operator == "rg" else "K")))
                continue
            if operator in ("cs", "CS") and operands:
                kind = self._named_space_kind(operands[0], spaces)
                if kind == _RGB:
                    operands = [self._cmyk_space]
                if operator == "cs":
                    fill = kind
                else:
                    stroke = kind
                out.append(pikepdf.ContentStreamInstruction(operands, Operator(operator)))
                continue
            if operator in ("sc", "scn", "SC", "SCN"):
                kind = fill if operator in ("sc", "scn") else stroke
                numbers = [o for o in operands if not isinstance(o, Name)]
                if kind == _RGB and len(numbers) == 3:
                    out.append(pikepdf.ContentStreamInstruction(self.cmyk(*numbers), Operator(operator)))
                    continue
                if kind == _PATTERN and len(numbers) == 3:   # uncoloured pattern over an RGB base
                    name = [o for o in operands if isinstance(o, Name)]
                    out.append(pikepdf.ContentStreamInstruction([*self.cmyk(*numbers), *name], Operator(operator)))
                    continue
            out.append(item)
        return out

    def _named_space_kind(self, name, spaces) -> str:
        if name in (Name.DeviceRGB, Name.DeviceGray, Name.DeviceCMYK, Name.Pattern):
            return colour_space_kind(name)
        if spaces is None or name not in spaces:
            return _OTHER
        space = spaces[name]
        if isinstance(space, Array) and len(space) == 2 and space[0] == Name.Pattern:
            return _PATTERN
        return colour_space_kind(space)

    def _inline_image(self, item):
        # WeasyPrint writes no inline images; a custom PDF that does keeps them for preflight to report.
        return item

    def convert_content(self, owner, resources) -> None:
        """Rewrite a form, pattern or Type 3 glyph stream in place."""
        instructions = pikepdf.parse_content_stream(owner)
        if not _has_rgb_operators(instructions):
            return
        owner.write(pikepdf.unparse_content_stream(self.convert_stream_content(instructions, resources)))

    # -- resources -----------------------------------------------------------------------------------
    def convert_resources(self, resources) -> None:
        """Images, forms, patterns, shadings and soft masks reachable from a resource dictionary."""
        if resources is None or not isinstance(resources, Dictionary):
            return
        if not self._first_visit(resources):
            return
        self._resources.append(resources)
        for xobject in _values(resources.get(Name.XObject)):
            self.convert_xobject(xobject)
        for pattern in _values(resources.get(Name.Pattern)):
            self.convert_pattern(pattern)
        for shading in _values(resources.get(Name.Shading)):
            self.convert_shading(shading)
        for state in _values(resources.get(Name.ExtGState)):
            self.convert_graphics_state(state)
        for font in _values(resources.get(Name.Font)):
            self.convert_type3(font)

    def finish(self) -> None:
        """Once every stream is converted (a resource dictionary can be shared by a page and its
        forms, and the streams are read against the original colour spaces): named RGB colour
        spaces become DeviceCMYK."""
        for resources in self._resources:
            self.rewrite_colour_spaces(resources)

    def rewrite_colour_spaces(self, resources) -> None:
        if resources is None or not isinstance(resources, Dictionary):
            return
        spaces = resources.get(Name.ColorSpace)
        if isinstance(spaces, Dictionary):
            for key in list(spaces.keys()):
                space = spaces[key]
                if colour_space_kind(space) == _RGB:
                    spaces[key] = self._cmyk_space
                elif isinstance(space, Array) and len(space) == 2 and space[0] == Name.Pattern \
                        and colour_space_kind(space[1]) == _RGB:
                    spaces[key] = Array([Name.Pattern, self._cmyk_space])
                elif isinstance(space, Array) and len(space) == 4 and space[0] in (Name.Indexed, Name.I):
                    self._convert_indexed(space)
                elif isinstance(space, Array) and len(space) >= 4 and space[0] in (Name.Separation, Name.DeviceN):
                    self._convert_alternate(space)

    def convert_xobject(self, xobject) -> None:
        if not self._first_visit(xobject):
            return
        subtype = xobject.get(Name.Subtype)
        if subtype == Name.Image:
            self.convert_image(xobject)
        elif subtype == Name.Form:
            self._convert_group(xobject.get(Name.Group))
            resources = xobject.get(Name.Resources)
            self.convert_resources(resources)
            self.convert_content(xobject, resources)

    def convert_pattern(self, pattern) -> None:
        if not self._first_visit(pattern):
            return
        if int(pattern.get(Name.PatternType, 0)) == 1:
            resources = pattern.get(Name.Resources)
            self.convert_resources(resources)
            self.convert_content(pattern, resources)
        elif Name.Shading in pattern:
            self.convert_shading(pattern.Shading)
        if Name.ExtGState in pattern:
            self.convert_graphics_state(pattern.ExtGState)

    def convert_graphics_state(self, state) -> None:
        if not isinstance(state, Dictionary) or not self._first_visit(state):
            return
        mask = state.get(Name.SMask)
        if isinstance(mask, Dictionary):
            group = mask.get(Name.G)
            if group is not None:
                self.convert_xobject(group)
            backdrop = mask.get(Name.BC)
            if isinstance(backdrop, Array) and len(backdrop) == 3:
                mask.BC = Array(self.cmyk(*backdrop))

    def convert_type3(self, font) -> None:
        if not isinstance(font, Dictionary) or font.get(Name.Subtype) != Name.Type3 or not self._first_visit(font):
            return
        resources = font.get(Name.Resources)
        self.convert_resources(resources)
        for glyph in _values(font.get(Name.CharProcs)):
            self.convert_content(glyph, resources)

    def _convert_group(self, group) -> None:
        if isinstance(group, Dictionary) and Name.CS in group and colour_space_kind(group.CS) == _RGB:
            group.CS = self._cmyk_space

    def convert_page_group(self, page_obj) -> None:
        self._convert_group(page_obj.get(Name.Group))

    # -- images --------------------------------------------------------------------------------------
    def convert_image(self, image) -> None:
        space = image.get(Name.ColorSpace)
        if image.get(Name.ImageMask, False) or space is None:
            return
        if isinstance(space, Array) and len(space) == 4 and space[0] in (Name.Indexed, Name.I):
            self._convert_indexed(space)
            return
        if colour_space_kind(space) != _RGB:
            return
        source_icc = space[1].read_bytes() if isinstance(space, Array) and space[0] == Name.ICCBased else None
        from pikepdf import PdfImage

        picture = PdfImage(image).as_pil_image()
        cmyk = self.colours.image(picture, source_icc)
        image.write(zlib.compress(cmyk.tobytes(), 6), filter=Name.FlateDecode)
        image.ColorSpace = self._cmyk_space
        image.BitsPerComponent = 8
        image.Width, image.Height = cmyk.width, cmyk.height
        for key in (Name.DecodeParms, Name.Decode):
            if key in image:
                del image[key]

    def _convert_indexed(self, space) -> None:
        base, high, lookup = space[1], int(space[2]), space[3]
        if colour_space_kind(base) != _RGB:
            return
        data = lookup.read_bytes() if isinstance(lookup, pikepdf.Stream) else bytes(lookup)
        entries: list[int] = []
        for index in range(high + 1):
            r, g, b = data[index * 3:index * 3 + 3]
            entries.extend(round(v * 255) for v in self.colours.rgb(r / 255, g / 255, b / 255))
        space[1] = self._cmyk_space
        space[3] = pikepdf.String(bytes(entries))

    def _convert_alternate(self, space) -> None:
        # Spot colours keep their name; only an RGB alternate (the screen preview) is replaced.
        alternate = space[2]
        if colour_space_kind(alternate) != _RGB:
            return
        function = space[3]
        if isinstance(function, Dictionary) and int(function.get(Name.FunctionType, -1)) == 2:
            self._convert_function(function)
            space[2] = self._cmyk_space

    # -- shadings ------------------------------------------------------------------------------------
    def convert_shading(self, shading) -> None:
        if not self._first_visit(shading):
            return
        if colour_space_kind(shading.get(Name.ColorSpace)) != _RGB:
            return
        function = shading.get(Name.Function)
        if isinstance(function, Array) or function is None or not self._convert_function(function):
            return   # left RGB: preflight names it
        if isinstance(shading.get(Name.Background), Array) and len(shading.Background) == 3:
            shading.Background = Array(self.cmyk(*shading.Background))
        shading.ColorSpace = self._cmyk_space

    def _convert_function(self, function) -> bool:
        """A 1-in, 3-out function (exponential or stitched) made 1-in, 4-out. False: not convertible."""
        kind = int(function.get(Name.FunctionType, -1))
        if kind == 2:
            start = function.get(Name.C0, Array([0, 0, 0]))
            end = function.get(Name.C1, Array([1, 1, 1]))
            if len(start) != 3 or len(end) != 3:
                return False
            function.C0, function.C1 = Array(self.cmyk(*start)), Array(self.cmyk(*end))
            if Name.Range in function:
                function.Range = Array([0, 1] * 4)
            return True
        if kind == 3:
            return all(self._convert_function(part) for part in function.Functions) and self._fix_range(function)
        if kind == 0 and int(function.get(Name.BitsPerSample, 0)) == 8 and len(function.get(Name.Range, [])) == 6:
            samples = function.read_bytes()
            converted = bytearray()
            for index in range(0, len(samples) - 2, 3):
                r, g, b = samples[index:index + 3]
                converted.extend(round(v * 255) for v in self.colours.rgb(r / 255, g / 255, b / 255))
            function.write(zlib.compress(bytes(converted)), filter=Name.FlateDecode)
            function.Range = Array([0, 1] * 4)
            if Name.Decode in function:
                function.Decode = Array([0, 1] * 4)
            return True
        return False

    @staticmethod
    def _fix_range(function) -> bool:
        if Name.Range in function:
            function.Range = Array([0, 1] * 4)
        return True

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _first_visit(self, obj) -> bool:
        if not obj.is_indirect:
            return True
        key = obj.objgen
        if key in self._done:
            return False
        self._done.add(key)
        return True


def _values(dictionary):
    if isinstance(dictionary, Dictionary):
        return [dictionary[key] for key in dictionary.keys()]
    return []


def _has_rgb_operators(instructions) -> bool:
    return any(not isinstance(i, pikepdf.ContentStreamInlineImage)
               and str(i.operator) in ("rg", "RG", "cs", "CS", "sc", "scn", "SC", "SCN") for i in instructions)
