"""The org seam: the one interface between demandgrid and wherever forecast records live
(``seam``: the ``Org`` protocol, its errors and describe types), the records that flow through
pull, check and push (``records``), and the mapping profiles that say which object and field
hold each logical part of a forecast cell (``mapping``).

May import: nothing else in ``sync``.
"""
