// The one palette of every choropleth on the page and in the widget (crime by area, local
// services by district): ColorBrewer's 5-class YlOrRd, a sequential scheme ColorBrewer marks as
// colour-blind safe. Its classes differ in lightness, not only in hue, so readers with any colour
// vision deficiency (and greyscale prints) can still order them. web/tests/palette.test.mjs checks
// that the lightness falls class by class, also as readers with protanopia, deuteranopia or
// tritanopia see the colours.
export const CHOROPLETH_PALETTE_NAME = 'ColorBrewer YlOrRd (5 classes, colour-blind safe)';
export const CHOROPLETH_COLORS = ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'];
// Areas without a value: a neutral grey; the legend and the text tables say "no data" in words,
// so nobody has to tell it apart from a class by colour.
export const NO_DATA_COLOR = '#d9d9d9';

