// Across SpokePool functions and events the adapter uses (signatures as in @across-protocol/contracts' SpokePool).
import { parseAbi } from 'viem'

/** SpokePool: deposit entry point, views, fill, and the deposit / fill events. */
export const spokePoolAbi = parseAbi([
  // The relay data a fill repeats from its deposit (bytes32 addresses, as the SpokePool emits them).
  'struct V3RelayData { bytes32 depositor; bytes32 recipient; bytes32 exclusiveRelayer; bytes32 inputToken; bytes32 outputToken; uint256 inputAmount; uint256 outputAmount; uint256 originChainId; uint256 depositId; uint32 fillDeadline; uint32 exclusivityDeadline; bytes message; }',
  'function depositV3Now(address depositor, address recipient, address inputToken, address outputToken, uint256 inputAmount, uint256 outputAmount, uint256 destinationChainId, address exclusiveRelayer, uint32 fillDeadlineOffset, uint32 exclusivityParameter, bytes message) payable',
  'function wrappedNativeToken() view returns (address)',
  'function fillDeadlineBuffer() view returns (uint32)',
  'function pausedDeposits() view returns (bool)',
  'function pausedFills() view returns (bool)',
  'function getCurrentTime() view returns (uint256)',
  'function fillStatuses(bytes32) view returns (uint256)',
  'function getV3RelayHash(V3RelayData relayData) view returns (bytes32)',
  'function fillRelay(V3RelayData relayData, uint256 repaymentChainId, bytes32 repaymentAddress)',
  'event FundsDeposited(bytes32 inputToken, bytes32 outputToken, uint256 inputAmount, uint256 outputAmount, uint256 indexed destinationChainId, uint256 indexed depositId, uint32 quoteTimestamp, uint32 fillDeadline, uint32 exclusivityDeadline, bytes32 indexed depositor, bytes32 recipient, bytes32 exclusiveRelayer, bytes message)',
  'event FilledRelay(bytes32 inputToken, bytes32 outputToken, uint256 inputAmount, uint256 outputAmount, uint256 repaymentChainId, uint256 indexed originChainId, uint256 indexed depositId, uint32 fillDeadline, uint32 exclusivityDeadline, bytes32 exclusiveRelayer, bytes32 indexed relayer, bytes32 depositor, bytes32 recipient, bytes32 messageHash, (bytes32 updatedRecipient, bytes32 updatedMessageHash, uint256 updatedOutputAmount, uint8 fillType) relayExecutionInfo)',
])

/** `fillStatuses` value of a relay that has been filled (SpokePool's FillStatus.Filled). */
export const FILL_STATUS_FILLED = 2n
