package dev.tailor.api;

import java.util.List;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;

/**
 * Picks which of an endpoint's representations the {@code Accept} header asks for, as RFC 9110 §12.5.1
 * says: each representation takes the quality of the most specific range that matches it ({@code
 * application/json} before {@code application/*} before {@code *}{@code /*}), parameters other than q
 * aside; the highest quality wins; a tie goes to the representation named by the more specific range, then
 * to the range listed first, then to the first representation (the endpoint's default). Spring's {@code
 * produces} has already refused a header that accepts none.
 */
public final class AcceptNegotiation {

    private AcceptNegotiation() {}

    /** @param representations the endpoint's media types, its default first */
    public static MediaType choose(String accept, List<MediaType> representations) {
        MediaType chosen = representations.get(0);
        if (accept == null || accept.isBlank()) {
            return chosen;
        }
        List<MediaType> ranges;
        try {
            ranges = MediaType.parseMediaTypes(accept);
        } catch (InvalidMediaTypeException e) {
            return chosen;
        }
        double bestQuality = -1;
        int bestSpecificity = -1;
        int bestPosition = Integer.MAX_VALUE;
        for (MediaType representation : representations) {
            int position = mostSpecificMatch(ranges, representation);
            if (position < 0) {
                continue;
            }
            MediaType range = ranges.get(position);
            double quality = range.getQualityValue();
            int specificity = specificity(range);
            boolean better = quality != bestQuality
                    ? quality > bestQuality
                    : specificity != bestSpecificity ? specificity > bestSpecificity : position < bestPosition;
            if (better) {
                bestQuality = quality;
                bestSpecificity = specificity;
                bestPosition = position;
                chosen = representation;
            }
        }
        return bestQuality > 0 ? chosen : representations.get(0);
    }

    private static int specificity(MediaType range) {
        return range.isWildcardType() ? 0 : range.isWildcardSubtype() ? 1 : 2;
    }

    /** Where in the header the most specific range that includes the type is; -1 for none. */
    private static int mostSpecificMatch(List<MediaType> ranges, MediaType type) {
        int found = -1;
        int foundSpecificity = -1;
        for (int i = 0; i < ranges.size(); i++) {
            MediaType range = ranges.get(i);
            if (!range.includes(type)) {
                continue;
            }
            int specificity = specificity(range);
            if (specificity > foundSpecificity) {
                found = i;
                foundSpecificity = specificity;
            }
        }
        return found;
    }
}
